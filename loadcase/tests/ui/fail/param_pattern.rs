use loadcase::prelude::*;

#[load_test]
async fn param_pattern((cx, _): (&mut Context, u32)) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
