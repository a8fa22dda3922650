use loadcase::prelude::*;

const LOGIN: &str = "/login";

#[load_test(setup = LOGIN)]
async fn setup_not_a_function(cx: &mut Context) -> TestResult {
    cx.app.post(LOGIN).await?;
    Ok(())
}

fn main() {}
