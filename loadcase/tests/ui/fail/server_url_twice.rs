use loadcase::prelude::*;

#[load_test(
    server_url = "http://127.0.0.1:8080",
    server_url = "http://127.0.0.1:9090"
)]
async fn server_url_twice(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
