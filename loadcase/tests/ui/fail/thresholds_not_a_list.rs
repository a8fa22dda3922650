use loadcase::prelude::*;

#[load_test(thresholds = "p95<1s")]
async fn thresholds_not_a_list(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
