use loadcase::prelude::*;

#[load_test]
async fn param_wrong_type(x: u32) -> TestResult {
    assert_eq!(x, 0);
    Ok(())
}

fn main() {}
