use loadcase::prelude::*;

#[load_test]
async fn two_params(cx: &mut Context, users: u32) -> TestResult {
    cx.incr_by("users", users.into());
    Ok(())
}

fn main() {}
