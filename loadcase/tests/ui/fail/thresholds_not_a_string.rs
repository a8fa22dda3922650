use loadcase::prelude::*;

#[load_test(thresholds("p95<1s", 200))]
async fn thresholds_not_a_string(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
