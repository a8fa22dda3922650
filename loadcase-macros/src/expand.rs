//! The expansion: a `#[test]` wrapper with the user's function nested inside, a constructor that
//! announces the test to `cargo loadrun --list`, and the call into `::loadcase::__private`.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ExprPath, ItemFn, ReturnType};

use crate::args::Args;

pub fn expand(args: &Args, function: &ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let name = &sig.ident;
    let name_text = name.to_string();
    // `line!()` and `file!()` spanned at the function's name give its own line, not the
    // attribute's.
    let line = quote_spanned!(name.span()=> ::core::line!());
    let file = quote_spanned!(name.span()=> ::core::file!());
    let server_url = match &args.server_url {
        Some(url) => quote!(::core::option::Option::Some(#url)),
        None => quote!(::core::option::Option::None),
    };
    let thresholds = &args.thresholds;
    let hit = format_ident!("__loadcase_hit");
    let test = format_ident!("__LOADCASE_TEST");
    let inner_sig = {
        let mut inner = sig.clone();
        inner.ident = name.clone();
        inner
    };
    let (into_outcome, return_check) = return_type(&sig.output);
    let (setup_fn, setup, setup_check) = phase(args.setup.as_ref(), "__loadcase_setup");
    let (teardown_fn, teardown, teardown_check) =
        phase(args.teardown.as_ref(), "__loadcase_teardown");
    // Test-only attributes (#[ignore], #[should_panic], docs, cfg) stay on the generated #[test].
    quote! {
        // Registration is a constructor run before main; where there is none, `--list` and
        // mixes would silently find no test.
        #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd", target_os = "netbsd", target_os = "openbsd", target_os = "illumos", target_vendor = "apple", windows)))]
        ::core::compile_error!("#[load_test] registers each test with a constructor that runs before main (an .init_array, __mod_init_func or .CRT$XCU entry), which this target does not have, so `cargo loadrun --list` and mixes would find no test; build the tests for Linux, macOS, Windows or a BSD");

        #return_check
        #setup_check
        #teardown_check

        #(#attrs)*
        #[::core::prelude::v1::test]
        #vis fn #name() {
            #[allow(clippy::unused_async)]
            #inner_sig #block

            fn #hit<'a>(cx: &'a mut ::loadcase::__private::Context) -> ::std::pin::Pin<::std::boxed::Box<
                dyn ::core::future::Future<Output = ::loadcase::__private::Outcome> + ::core::marker::Send + 'a,
            >> {
                ::std::boxed::Box::pin(async move {
                    #into_outcome(#name(cx).await)
                })
            }

            #setup_fn
            #teardown_fn

            static #test: ::loadcase::__private::LoadTest = ::loadcase::__private::LoadTest {
                module_path: ::core::module_path!(),
                name: #name_text,
                file: #file,
                line: #line,
                server_url: #server_url,
                thresholds: &[#(#thresholds),*],
                hit: #hit,
                setup: #setup,
                teardown: #teardown,
            };

            // Runs before main: lets `cargo loadrun --list` find this test without running any.
            #[used]
            #[cfg_attr(any(target_os = "linux", target_os = "android", target_os = "freebsd", target_os = "netbsd", target_os = "openbsd", target_os = "illumos"), unsafe(link_section = ".init_array"))]
            #[cfg_attr(target_vendor = "apple", unsafe(link_section = "__DATA,__mod_init_func"))]
            #[cfg_attr(windows, unsafe(link_section = ".CRT$XCU"))]
            static __LOADCASE_ANNOUNCE: extern "C" fn() = {
                extern "C" fn announce() {
                    ::loadcase::__private::announce(&#test);
                }
                announce
            };

            ::loadcase::__private::run_test(&#test)
        }
    }
}

/// A `setup` or `teardown` function: the wrapper that boxes its future (named `wrapper`), the
/// `Option<HitFn>` of the test, and a check of its signature for builds without `--test`.
///
/// Both the wrapper and the check pass the user's path to a function bounded by
/// `TestFn`, spanned at the path, so that a function of the wrong shape (not async, another
/// parameter, a return type without `IntoOutcome`) is reported at the path in the attribute.
/// As for the return type, the check is a `const` beside the `#[test]`, which builds without
/// `--test` drop, and it is left out of test builds, where the wrapper makes it: once each.
fn phase(path: Option<&ExprPath>, wrapper: &str) -> (TokenStream, TokenStream, TokenStream) {
    let Some(path) = path else {
        return (
            TokenStream::new(),
            quote!(::core::option::Option::None),
            TokenStream::new(),
        );
    };
    let wrapper = format_ident!("{wrapper}");
    let span = path.span();
    let call = quote_spanned!(span=> ::loadcase::__private::call(#path, cx));
    let check = quote_spanned!(span=> ::loadcase::__private::check(&#path));
    let function = quote! {
        fn #wrapper<'a>(cx: &'a mut ::loadcase::__private::Context) -> ::std::pin::Pin<::std::boxed::Box<
            dyn ::core::future::Future<Output = ::loadcase::__private::Outcome> + ::core::marker::Send + 'a,
        >> {
            #call
        }
    };
    let check = quote! {
        #[cfg(not(test))]
        const _: () = #check;
    };
    (
        function,
        quote!(::core::option::Option::Some(#wrapper)),
        check,
    )
}

/// How the hit turns what the function returned into an outcome, and a check of the return type
/// for builds without `--test`.
///
/// The conversion names the return type, `<T as IntoOutcome>::into_outcome`, so that a type
/// without `IntoOutcome` is reported at the function's `-> T`, not at the attribute. Under
/// `cargo test` the hit itself makes that check; elsewhere (`cargo check`, `cargo build`,
/// doctests, trybuild) the `#[test]` is dropped with everything in it, so a `const` beside it
/// makes the check instead: a wrong return type is an error in every build, and only once.
fn return_type(output: &ReturnType) -> (TokenStream, TokenStream) {
    let ty = match output {
        // `impl Trait` cannot be named in an expression; the compiler reports it at the call.
        ReturnType::Type(_, ty) if !mentions_impl(ty.to_token_stream()) => ty,
        // `()` needs no check.
        _ => {
            return (
                quote!(::loadcase::__private::IntoOutcome::into_outcome),
                TokenStream::new(),
            );
        }
    };
    let span = ty.span();
    let into_outcome =
        quote_spanned!(span=> <#ty as ::loadcase::__private::IntoOutcome>::into_outcome);
    let check = quote_spanned! {span=>
        #[cfg(not(test))]
        const _: () = {
            let _ = #into_outcome;
        };
    };
    (into_outcome, check)
}

fn mentions_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}
