//! Every shape of function that `#[load_test]` accepts.

use loadcase::prelude::*;

#[load_test]
async fn returns_test_result(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

#[load_test]
async fn returns_unit(cx: &mut Context) {
    cx.incr("hits");
}

#[load_test]
async fn returns_explicit_unit(cx: &mut Context) -> () {
    cx.incr("hits");
}

#[load_test]
async fn returns_string_error(cx: &mut Context) -> Result<(), String> {
    cx.incr("hits");
    Ok(())
}

#[load_test]
async fn returns_boxed_error(
    cx: &mut Context,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    cx.incr("hits");
    Ok(())
}

#[load_test]
#[ignore]
async fn ignored(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

#[load_test]
#[ignore = "needs the demo server"]
async fn ignored_with_reason(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

/// A doc comment stays on the generated test.
#[load_test]
async fn documented(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

#[load_test(thresholds("p95<200ms", "error_rate<1%",), server_url = "http://127.0.0.1:8080")]
async fn with_thresholds_and_server_url(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

#[load_test(server_url = "http://127.0.0.1:8080")]
async fn with_server_url(cx: &mut Context) -> TestResult {
    cx.app.get("/").await?;
    Ok(())
}

#[rustfmt::skip]
#[load_test(server_url = "https://example.com/api/",)]
async fn with_https_server_url_and_trailing_comma(cx: &mut Context) -> TestResult {
    cx.app.get("/").await?;
    Ok(())
}

#[load_test(server_url = "http://db")]
async fn with_short_host(cx: &mut Context) -> TestResult {
    cx.app.get("/").await?;
    Ok(())
}

#[load_test]
async fn unused_context(_cx: &mut Context) -> TestResult {
    Ok(())
}

#[load_test]
async fn fully_qualified_context(cx: &mut loadcase::Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

#[load_test]
pub async fn public(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

#[load_test]
#[should_panic(expected = "arithmetic")]
async fn should_panic(cx: &mut Context) {
    cx.incr("hits");
    assert_eq!(1 + 1, 3, "arithmetic");
}

mod nested {
    use loadcase::prelude::*;

    #[load_test]
    async fn in_a_module(cx: &mut Context) -> TestResult {
        cx.incr("hits");
        Ok(())
    }
}

fn main() {}
