use loadcase::prelude::*;

async fn login(cx: &mut Context) -> TestResult {
    cx.incr("logins");
    Ok(())
}

async fn warm_up(cx: &mut Context) -> TestResult {
    cx.incr("warm");
    Ok(())
}

#[load_test(setup = login, setup = warm_up)]
async fn setup_twice(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
