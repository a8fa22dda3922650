use loadcase::prelude::*;

const URL: &str = "http://127.0.0.1:8080";

#[load_test(server_url = URL)]
async fn server_url_not_literal(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
