use loadcase::prelude::*;

#[load_test]
async fn param_by_value(cx: Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
