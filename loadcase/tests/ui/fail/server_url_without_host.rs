use loadcase::prelude::*;

#[load_test(server_url = "https://")]
async fn server_url_without_host(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
