use loadcase::prelude::*;

#[load_test]
async extern "C" fn extern_abi(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

fn main() {}
