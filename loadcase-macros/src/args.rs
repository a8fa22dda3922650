//! The attribute's arguments: `server_url = "…"`.

use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, Token};

pub struct Args {
    pub server_url: Option<LitStr>,
}

impl Args {
    pub fn parse(tokens: proc_macro2::TokenStream) -> syn::Result<Args> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens)?;
        let mut args = Args { server_url: None };
        for meta in metas {
            let Meta::NameValue(pair) = &meta else {
                return Err(syn::Error::new_spanned(
                    meta,
                    "expected `server_url = \"http://…\"`",
                ));
            };
            if !pair.path.is_ident("server_url") {
                return Err(syn::Error::new_spanned(
                    &pair.path,
                    "unknown argument of #[load_test]; the only one is `server_url = \"http://…\"`",
                ));
            }
            if args.server_url.is_some() {
                return Err(syn::Error::new_spanned(
                    &pair.path,
                    "`server_url` is given twice",
                ));
            }
            let Expr::Lit(ExprLit {
                lit: Lit::Str(url), ..
            }) = &pair.value
            else {
                return Err(syn::Error::new_spanned(
                    &pair.value,
                    "`server_url` takes a string literal, e.g. \"http://127.0.0.1:8080\"",
                ));
            };
            let value = url.value();
            if !(value.starts_with("http://") || value.starts_with("https://"))
                || value.len() <= "https://".len()
            {
                return Err(syn::Error::new_spanned(
                    url,
                    "`server_url` must be an absolute http:// or https:// URL",
                ));
            }
            args.server_url = Some(url.clone());
        }
        Ok(args)
    }
}
