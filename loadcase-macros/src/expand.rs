//! The expansion: a `#[test]` wrapper with the user's function nested inside, a constructor that
//! announces the test to `cargo loadrun --list`, and the call into `::loadcase::__private`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ItemFn;

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
    let hit = format_ident!("__loadcase_hit");
    let test = format_ident!("__LOADCASE_TEST");
    let inner_sig = {
        let mut inner = sig.clone();
        inner.ident = name.clone();
        inner
    };
    // Test-only attributes (#[ignore], #[should_panic], docs, cfg) stay on the generated #[test].
    quote! {
        #(#attrs)*
        #[::core::prelude::v1::test]
        #vis fn #name() {
            #[allow(clippy::unused_async)]
            #inner_sig #block

            fn #hit<'a>(cx: &'a mut ::loadcase::Context) -> ::std::pin::Pin<::std::boxed::Box<
                dyn ::core::future::Future<Output = ::loadcase::__private::Outcome> + ::core::marker::Send + 'a,
            >> {
                ::std::boxed::Box::pin(async move {
                    ::loadcase::__private::IntoOutcome::into_outcome(#name(cx).await)
                })
            }

            static #test: ::loadcase::__private::LoadTest = ::loadcase::__private::LoadTest {
                module_path: ::core::module_path!(),
                name: #name_text,
                file: #file,
                line: #line,
                server_url: #server_url,
                hit: #hit,
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
