use loadcase::prelude::*;

#[load_test]
async fn no_param() -> TestResult {
    Ok(())
}

fn main() {}
