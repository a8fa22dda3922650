use loadcase::prelude::*;

#[load_test(server_url = "127.0.0.1:8080")]
async fn server_url_not_http(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
