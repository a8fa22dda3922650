use loadcase::prelude::*;

#[load_test]
async fn param_shared_ref(cx: &Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
