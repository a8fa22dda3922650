use loadcase::prelude::*;

async fn login(user: u64) -> TestResult {
    let _ = user;
    Ok(())
}

#[load_test(setup = login)]
async fn setup_wrong_param(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
