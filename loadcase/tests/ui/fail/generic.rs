use loadcase::prelude::*;

#[load_test]
async fn generic<T: Default>(cx: &mut Context) -> TestResult {
    let _ = T::default();
    cx.incr("hits");
    Ok(())
}

fn main() {}
