use loadcase::prelude::*;

async fn login(cx: &mut Context) -> TestResult {
    cx.incr("logins");
    Ok(())
}

#[load_test(setup = login())]
async fn setup_not_a_path(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
