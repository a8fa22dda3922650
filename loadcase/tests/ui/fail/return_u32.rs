use loadcase::prelude::*;

#[load_test]
async fn return_u32(cx: &mut Context) -> u32 {
    cx.incr("hits");
    200
}

fn main() {}
