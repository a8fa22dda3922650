use loadcase::prelude::*;

#[load_test]
fn not_async(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
