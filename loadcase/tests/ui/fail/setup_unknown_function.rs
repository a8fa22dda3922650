use loadcase::prelude::*;

#[load_test(setup = log_in)]
async fn setup_unknown_function(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
