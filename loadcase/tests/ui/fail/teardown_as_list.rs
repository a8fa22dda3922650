use loadcase::prelude::*;

async fn logout(cx: &mut Context) {
    cx.incr("logouts");
}

#[load_test(teardown(logout))]
async fn teardown_as_list(cx: &mut Context) -> TestResult {
    logout(cx).await;
    Ok(())
}

fn main() {}
