use loadcase::prelude::*;

async fn logout(cx: &mut Context) -> u32 {
    cx.incr("logouts");
    204
}

#[load_test(teardown = logout)]
async fn teardown_returns_u32(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
