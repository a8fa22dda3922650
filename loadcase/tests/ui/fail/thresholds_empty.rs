use loadcase::prelude::*;

#[load_test(thresholds())]
async fn thresholds_empty(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
