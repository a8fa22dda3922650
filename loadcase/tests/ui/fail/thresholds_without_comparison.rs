use loadcase::prelude::*;

#[load_test(thresholds("p95 200ms"))]
async fn thresholds_without_comparison(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
