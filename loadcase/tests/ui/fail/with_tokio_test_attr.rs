use loadcase::prelude::*;

#[load_test]
#[tokio::test]
async fn with_tokio_test_attr(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
