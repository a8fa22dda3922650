use loadcase::prelude::*;

#[load_test]
#[test]
async fn with_test_attr(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
