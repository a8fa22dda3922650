use loadcase::prelude::*;

#[load_test]
async fn return_ok_value(cx: &mut Context) -> Result<u32, String> {
    cx.incr("hits");
    Ok(200)
}

fn main() {}
