//! The `#[load_test]` attribute and the `dataset!` macro of [loadcase](https://docs.rs/loadcase).
//! Use them through `loadcase::load_test` and `loadcase::dataset!` (or `loadcase::prelude::*`);
//! this crate is an implementation detail.
//!
//! The attribute parses the function and its arguments, validates them with errors that point
//! at the offending tokens, and expands to a plain `#[test]` that hands the function to
//! `::loadcase::__private`.

mod args;
mod dataset;
mod expand;
mod validate;

use proc_macro::TokenStream;

/// Marks an `async fn(cx: &mut Context)` as a load test.
///
/// Under `cargo test` it runs once as an ordinary test; under `cargo loadrun` it runs as a load.
/// Accepted arguments: `server_url = "http://…"`, the default base URL of `cx.app`;
/// `thresholds("p95<200ms", "error_rate<1%")`, pass/fail criteria that `cargo loadrun` checks
/// after every load of this test (a malformed one fails the test under `cargo test`); and
/// `setup = path`, `teardown = path`, async functions of the same shape as the test that run
/// once per virtual user, before its first hit and after its last.
///
/// ```ignore
/// #[load_test(server_url = "http://127.0.0.1:8080", thresholds("p95<200ms"), setup = login)]
/// async fn test_app(cx: &mut Context) -> TestResult {
///     cx.app.get("/").await?;
///     Ok(())
/// }
/// ```
#[proc_macro_attribute]
pub fn load_test(args: TokenStream, item: TokenStream) -> TokenStream {
    match run(args.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn run(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    // Both are checked before reporting, so one compile shows every problem.
    match (args::Args::parse(args), validate::function(item)) {
        (Ok(args), Ok(function)) => Ok(expand::expand(&args, &function)),
        (Err(mut error), Err(more)) => {
            error.combine(more);
            Err(error)
        }
        (Err(error), Ok(_)) | (Ok(_), Err(error)) => Err(error),
    }
}

/// A dataset read from a CSV or JSON lines file of the calling package, embedded in the binary.
///
/// `dataset!("data/users.csv")` reads the file (relative to the package's directory) while
/// compiling, checks its structure — a missing file, a ragged CSV row, a bad quote, a line that
/// is not a JSON object are compile errors naming `file:line:column` — and expands to a `const`
/// `loadcase::Dataset`. See `loadcase::dataset` for the whole story.
///
/// ```ignore
/// static USERS: Dataset<User> = dataset!("data/users.csv");
/// ```
#[proc_macro]
pub fn dataset(input: TokenStream) -> TokenStream {
    match dataset::expand(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}
