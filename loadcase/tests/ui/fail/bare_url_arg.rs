use loadcase::prelude::*;

#[load_test("http://127.0.0.1:8080")]
async fn bare_url_arg(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
