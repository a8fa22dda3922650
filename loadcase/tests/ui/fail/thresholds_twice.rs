use loadcase::prelude::*;

#[load_test(thresholds("p95<1s"), thresholds("rps>5"))]
async fn thresholds_twice(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
