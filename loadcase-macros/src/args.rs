//! The attribute's arguments: `server_url = "…"`, `thresholds("p95<200ms", …)`,
//! `setup = login`, `teardown = logout`.

use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{
    Error, Expr, ExprLit, ExprPath, Lit, LitStr, Meta, MetaList, MetaNameValue, Path, Token,
};

/// What a bare argument should have looked like.
const EXPECTED: &str = "expected `server_url = \"http://…\"`, `thresholds(\"p95<200ms\", \"error_rate<1%\")`, \
     `setup = login` or `teardown = logout`";

/// Every argument, for the message about an unknown one.
const ACCEPTED: &str =
    "`server_url = \"http://…\"`, `thresholds(\"…\", …)`, `setup = login` and `teardown = logout`";

/// The arguments that name a per-user function.
const PHASES: &[&str] = &["setup", "teardown"];

/// Names that people reach for but that belong to `cargo loadrun`, not to the attribute.
const RUNNER_OPTIONS: &[&str] = &[
    "users", "user", "hits", "cycles", "duration", "stages", "stage",
];

pub struct Args {
    pub server_url: Option<LitStr>,
    /// Checked for shape here; fully parsed by loadcase when the test runs (`cargo test` fails
    /// on a malformed one), so that the grammar lives in one place.
    pub thresholds: Vec<LitStr>,
    /// `setup = path`: an `async fn(cx: &mut Context)` run once per virtual user before its
    /// hits. Its signature is checked by the compiler in the expansion, at this path.
    pub setup: Option<ExprPath>,
    /// `teardown = path`: likewise, after the user's last hit.
    pub teardown: Option<ExprPath>,
}

impl Args {
    pub fn parse(tokens: proc_macro2::TokenStream) -> syn::Result<Args> {
        (|input: ParseStream| {
            let mut args = Args {
                server_url: None,
                thresholds: Vec::new(),
                setup: None,
                teardown: None,
            };
            while !input.is_empty() {
                if input.peek(LitStr) {
                    let url: LitStr = input.parse()?;
                    return Err(Error::new(
                        url.span(),
                        "name the argument: `server_url = \"http://…\"`",
                    ));
                }
                let meta: Meta = input.parse()?;
                args.add(meta)?;
                if input.is_empty() {
                    break;
                }
                input.parse::<Token![,]>()?;
            }
            Ok(args)
        })
        .parse2(tokens)
    }

    fn add(&mut self, meta: Meta) -> syn::Result<()> {
        if let Meta::List(list) = &meta
            && list.path.is_ident("thresholds")
        {
            return self.add_thresholds(list);
        }
        if let Some(phase) = PHASES.iter().find(|p| meta.path().is_ident(p)) {
            return self.add_phase(phase, meta);
        }
        let Meta::NameValue(MetaNameValue { path, value, .. }) = meta else {
            return Err(Error::new_spanned(meta, EXPECTED));
        };
        if path.is_ident("thresholds") {
            return Err(Error::new_spanned(
                path,
                "`thresholds` takes a list: `thresholds(\"p95<200ms\", \"error_rate<1%\")`",
            ));
        }
        if !path.is_ident("server_url") {
            let name = quote::ToTokens::to_token_stream(&path).to_string();
            let mut message = format!("unknown argument `{name}`: #[load_test] takes {ACCEPTED}");
            if RUNNER_OPTIONS.contains(&name.as_str()) {
                message.push_str(
                    "; users, hits and duration are options of `cargo loadrun` (`-u 10 -c 5`, `-d 30s`)",
                );
            }
            return Err(Error::new_spanned(path, message));
        }
        if self.server_url.is_some() {
            return Err(Error::new_spanned(
                path,
                "`server_url` is given twice; keep one",
            ));
        }
        let Expr::Lit(ExprLit {
            lit: Lit::Str(url), ..
        }) = value
        else {
            return Err(Error::new_spanned(
                value,
                "`server_url` takes a string literal, e.g. `server_url = \"http://127.0.0.1:8080\"`",
            ));
        };
        check_url(&url)?;
        self.server_url = Some(url);
        Ok(())
    }

    /// `setup = login` or `teardown = logout`: a path to a function, checked for shape here and
    /// for its signature by the compiler.
    fn add_phase(&mut self, phase: &str, meta: Meta) -> syn::Result<()> {
        let example = if phase == "setup" { "login" } else { "logout" };
        let value = match meta {
            Meta::NameValue(MetaNameValue { value, .. }) => value,
            Meta::Path(path) => {
                return Err(Error::new_spanned(
                    path,
                    format!(
                        "`{phase}` names a function: write `{phase} = {example}` with `async fn {example}(cx: &mut Context) -> TestResult`"
                    ),
                ));
            }
            Meta::List(list) => {
                return Err(Error::new_spanned(
                    list,
                    format!("`{phase}` is not a list: write `{phase} = {example}`"),
                ));
            }
        };
        let slot = if phase == "setup" {
            &mut self.setup
        } else {
            &mut self.teardown
        };
        if slot.is_some() {
            return Err(Error::new_spanned(
                value,
                format!("`{phase}` is given twice; keep one (one function can call others)"),
            ));
        }
        match value {
            Expr::Path(path) if path.attrs.is_empty() => {
                *slot = Some(path);
                Ok(())
            }
            Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) => {
                let name = text.value();
                let fix = if syn::parse_str::<Path>(&name).is_ok() {
                    format!("write `{phase} = {name}` without the quotes")
                } else {
                    format!("write e.g. `{phase} = {example}`")
                };
                Err(Error::new_spanned(
                    text,
                    format!("`{phase}` takes a path to a function, not a string; {fix}"),
                ))
            }
            other => Err(Error::new_spanned(
                other,
                format!(
                    "`{phase}` takes the path of an `async fn(cx: &mut Context) -> TestResult`, e.g. `{phase} = {example}` or `{phase} = auth::{example}`; to pass arguments, call them from such a function"
                ),
            )),
        }
    }

    fn add_thresholds(&mut self, list: &MetaList) -> syn::Result<()> {
        if !self.thresholds.is_empty() {
            return Err(Error::new_spanned(
                &list.path,
                "`thresholds` is given twice; put them all in one list",
            ));
        }
        let items = list
            .parse_args_with(Punctuated::<Expr, Token![,]>::parse_terminated)
            .map_err(|e| Error::new(e.span(), format!("{e}; {EXPECTED}")))?;
        if items.is_empty() {
            return Err(Error::new_spanned(
                list,
                "`thresholds()` is empty; give at least one, e.g. `thresholds(\"p95<200ms\")`, or remove it",
            ));
        }
        for item in items {
            let Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) = item
            else {
                return Err(Error::new_spanned(
                    item,
                    "each threshold is a string literal, e.g. `\"p95<200ms\"`",
                ));
            };
            if !text.value().contains(['<', '>']) {
                return Err(Error::new_spanned(
                    &text,
                    "a threshold compares a metric with `<` or `>`, e.g. `\"p95<200ms\"`, `\"error_rate<1%\"`, `\"rps>500\"`",
                ));
            }
            self.thresholds.push(text);
        }
        Ok(())
    }
}

/// `http://` or `https://`, then at least a host, and no whitespace.
fn check_url(url: &LitStr) -> syn::Result<()> {
    let value = url.value();
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"));
    let valid = rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        && !value.contains(char::is_whitespace);
    if valid {
        return Ok(());
    }
    let message = if !value.contains("://")
        && !value.is_empty()
        && !value.contains(char::is_whitespace)
    {
        format!(
            "`server_url` must be an absolute http:// or https:// URL; did you mean \"http://{value}\"?"
        )
    } else {
        "`server_url` must be an absolute http:// or https:// URL, e.g. \"http://127.0.0.1:8080\""
            .to_owned()
    };
    Err(Error::new_spanned(url, message))
}
