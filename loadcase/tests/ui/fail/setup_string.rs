use loadcase::prelude::*;

async fn login(cx: &mut Context) -> TestResult {
    cx.incr("logins");
    Ok(())
}

#[load_test(setup = "login")]
async fn setup_string(cx: &mut Context) -> TestResult {
    login(cx).await
}

fn main() {}
