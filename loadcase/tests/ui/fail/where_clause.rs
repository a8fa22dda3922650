use loadcase::prelude::*;

#[load_test]
async fn where_clause(cx: &mut Context) -> TestResult
where
    u32: Copy,
{
    cx.incr("hits");
    Ok(())
}

fn main() {}
