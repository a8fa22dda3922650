use loadcase::prelude::*;

#[load_test(server_url)]
async fn server_url_without_value(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
