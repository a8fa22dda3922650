use loadcase::prelude::*;

#[load_test(setup)]
async fn setup_without_value(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
