use loadcase::prelude::*;

#[load_test]
const async fn const_fn(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
