use loadcase::prelude::*;

#[load_test]
async fn three_params(cx: &mut Context, users: u32, hits: u32) -> TestResult {
    cx.incr_by("users", users.into());
    cx.incr_by("hits", hits.into());
    Ok(())
}

fn main() {}
