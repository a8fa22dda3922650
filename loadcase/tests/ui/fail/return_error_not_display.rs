use loadcase::prelude::*;

#[derive(Debug)]
struct Oops;

#[load_test]
async fn return_error_not_display(cx: &mut Context) -> Result<(), Oops> {
    cx.incr("hits");
    Err(Oops)
}

fn main() {}
