use loadcase::prelude::*;

struct Suite;

impl Suite {
    #[load_test]
    async fn self_param(&self, cx: &mut Context) -> TestResult {
        cx.incr("hits");
        Ok(())
    }
}

fn main() {}
