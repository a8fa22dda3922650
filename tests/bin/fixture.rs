//! A binary named like the `fixture` test target, with a load test among its unit tests: the
//! runner must tell same-named targets apart and run the one that holds the test.

fn main() {}

#[cfg(test)]
mod tests {
    use loadcase::prelude::*;

    #[load_test]
    #[ignore = "run through cargo loadrun by the e2e tests"]
    async fn in_bin(cx: &mut Context) {
        cx.incr("in the binary");
    }
}
