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

/// `#[load_test]`: documented at its re-export, `loadcase::load_test`.
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

/// `dataset!("path")`: documented at its re-export, `loadcase::dataset!`.
#[proc_macro]
pub fn dataset(input: TokenStream) -> TokenStream {
    match dataset::expand(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}
