//! What the `#[test]` that `#[load_test]` generates does: one functional hit under `cargo test`
//! ([`functional`]), or the whole plan when `cargo loadrun` started this binary ([`load`]).

mod functional;
mod load;
pub(crate) mod registry;

use crate::protocol::env;
use registry::LoadTest;

/// Entry point of a generated test.
pub fn run_test(test: &'static LoadTest) {
    match std::env::var(env::PLAN) {
        Ok(plan) if std::env::var(env::TEST).is_ok_and(|t| t == test.test_name()) => {
            load::run(test, &plan)
        }
        _ => functional::run(test),
    }
}
