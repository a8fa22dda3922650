use loadcase::prelude::*;

#[load_test]
async unsafe fn unsafe_fn(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
