use loadcase::prelude::*;

#[load_test(users = 10)]
async fn unknown_arg(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
