//! `dataset!("data/users.csv")`: finds the data file relative to the calling package, reads it
//! while compiling, checks its structure (every problem reported as `file:line:column`), and
//! expands to a `const` expression that embeds the file with `include_bytes!` — so that editing
//! the data rebuilds the test, and the test binary needs no file at run time.

mod check;

use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprLit, Lit, LitStr, Token};

pub(crate) use check::Format;

const USAGE: &str = "dataset! takes the data file's path as a string literal, relative to the package's directory (the one with its Cargo.toml): `dataset!(\"data/users.csv\")`";

pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let literal = argument.parse2(input)?;
    let written = literal.value();
    let span = literal.span();
    let format = Format::of(&written).ok_or_else(|| {
        syn::Error::new(
            span,
            format!(
                "`{written}`: dataset! reads CSV with a header row (`.csv`) or JSON lines (`.jsonl` or `.ndjson`, one JSON object per line), and tells them apart by the file's extension; rename the file to end in the extension of its format"
            ),
        )
    })?;
    let package = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).ok_or_else(|| {
        syn::Error::new(
            span,
            "dataset! finds data files relative to the package, but CARGO_MANIFEST_DIR is not set: build with cargo",
        )
    })?;
    let resolved = package.join(&written);
    let bytes = std::fs::read(&resolved)
        .map_err(|e| syn::Error::new(span, unreadable(&written, &resolved, &package, &e)))?;
    let rows = check::structure(format, &bytes)
        .map_err(|problem| syn::Error::new(span, format!("{written}:{problem}")))?;
    let embedded = resolved.to_str().ok_or_else(|| {
        syn::Error::new(
            span,
            format!(
                "dataset! cannot embed `{}`: its path is not valid UTF-8; move the package or the file to a path that is",
                resolved.display()
            ),
        )
    })?;
    let format = match format {
        Format::Csv => quote!(Csv),
        Format::JsonLines => quote!(JsonLines),
    };
    Ok(quote! {
        ::loadcase::__private::Dataset::__from_macro(
            #written,
            ::core::include_bytes!(#embedded),
            ::loadcase::__private::DataFormat::#format,
            #rows,
        )
    })
}

/// The one argument: a string literal, with an optional trailing comma.
fn argument(input: ParseStream) -> syn::Result<LitStr> {
    if input.is_empty() {
        return Err(syn::Error::new(Span::call_site(), USAGE));
    }
    let expr: Expr = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), USAGE))?;
    let literal = match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(literal),
            ..
        }) => literal,
        other => {
            return Err(syn::Error::new_spanned(
                other,
                format!(
                    "{USAGE}; the file is read while compiling, so the path cannot be computed"
                ),
            ));
        }
    };
    input.parse::<Option<Token![,]>>()?;
    if !input.is_empty() {
        return Err(input.error(format!("{USAGE}; it takes nothing else")));
    }
    Ok(literal)
}

/// The message for a data file that cannot be read: the path as written, where it was looked
/// for, and what to do.
fn unreadable(written: &str, resolved: &Path, package: &Path, error: &std::io::Error) -> String {
    let fix = if error.kind() == std::io::ErrorKind::NotFound {
        "fix the path, or create the file there"
    } else {
        "make it a readable file"
    };
    if Path::new(written).is_absolute() {
        return format!("cannot read data file `{written}`: {error}; {fix}");
    }
    format!(
        "cannot read data file `{written}` ({}): {error}; the path is relative to the package's directory {} (where its Cargo.toml is): {fix}",
        resolved.display(),
        package.display(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(input: TokenStream) -> String {
        expand(input).unwrap_err().to_string()
    }

    #[test]
    fn the_argument_must_be_one_string_literal() {
        for input in [
            quote!(),
            quote!(PATH),
            quote!(42),
            quote!(concat!("a", ".csv")),
        ] {
            let message = error_of(input.clone());
            assert!(message.starts_with(USAGE), "{input}: {message}");
        }
        let message = error_of(quote!("data/users.csv", "more"));
        assert!(message.ends_with("it takes nothing else"), "{message}");
    }

    #[test]
    fn the_extension_picks_the_format() {
        assert_eq!(Format::of("data/users.csv"), Some(Format::Csv));
        assert_eq!(Format::of("data/USERS.CSV"), Some(Format::Csv));
        assert_eq!(Format::of("a.jsonl"), Some(Format::JsonLines));
        assert_eq!(Format::of("a.ndjson"), Some(Format::JsonLines));
        assert_eq!(Format::of("a.json"), None);
        assert_eq!(Format::of("csv"), None);
        let message = error_of(quote!("data/users.txt"));
        assert!(
            message.starts_with("`data/users.txt`: dataset! reads CSV"),
            "{message}"
        );
    }

    #[test]
    fn a_missing_file_names_the_path_as_written_and_where_it_was_looked_for() {
        let error = std::io::Error::from(std::io::ErrorKind::NotFound);
        let message = unreadable(
            "data/users.csv",
            Path::new("/work/app/data/users.csv"),
            Path::new("/work/app"),
            &error,
        );
        assert!(
            message
                .starts_with("cannot read data file `data/users.csv` (/work/app/data/users.csv): "),
            "{message}"
        );
        assert!(
            message.ends_with(
                "relative to the package's directory /work/app (where its Cargo.toml is): fix the path, or create the file there"
            ),
            "{message}"
        );
        let message = unreadable(
            "/data/users.csv",
            Path::new("/data/users.csv"),
            Path::new("/work/app"),
            &error,
        );
        assert_eq!(
            message,
            format!(
                "cannot read data file `/data/users.csv`: {error}; fix the path, or create the file there"
            )
        );
    }

    #[test]
    fn a_good_file_expands_to_an_embedded_dataset() {
        // Unit tests run with this crate's CARGO_MANIFEST_DIR.
        let dir = std::env::temp_dir().join(format!("loadcase-macros-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rows.csv");
        std::fs::write(&file, "id,name\n1,a\n2,b\n").unwrap();
        let path = file.to_str().unwrap();
        let tokens = expand(quote!(#path)).unwrap().to_string();
        assert!(tokens.contains("include_bytes !"), "{tokens}");
        assert!(tokens.contains("DataFormat :: Csv"), "{tokens}");
        assert!(tokens.contains("2usize"), "{tokens}");
        std::fs::write(&file, "id,name\n1,a,x\n").unwrap();
        let message = error_of(quote!(#path));
        assert_eq!(
            message,
            format!(
                "{path}:2:5: this row has 3 fields but the header (line 1) has 2 (`id`, `name`); give each row one value per column, and quote values that contain `,`"
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
