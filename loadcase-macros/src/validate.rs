//! Checks that the attribute sits on something it can run: `async fn name(cx: &mut Context)`.
//!
//! Every error points at the offending tokens and says what to write instead. Independent
//! problems are reported together, so one compile shows all of them.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Error, FnArg, Item, ItemFn, Pat, Signature, Type};

pub fn function(item: TokenStream) -> syn::Result<ItemFn> {
    let function = match syn::parse2::<Item>(item)? {
        Item::Fn(function) => function,
        other => return Err(not_a_function(&other)),
    };
    let mut errors = Errors::default();
    for attr in &function.attrs {
        // `#[test]`, `#[tokio::test]`, `#[async_std::test]`…
        if attr
            .path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "test")
        {
            let path = attr.path().to_token_stream().to_string().replace(' ', "");
            errors.push(Error::new_spanned(
                attr,
                format!("remove `#[{path}]`: #[load_test] makes the function a test already"),
            ));
        }
    }
    let sig = &function.sig;
    qualifiers(sig, &mut errors);
    if !sig.generics.params.is_empty() {
        errors.push(Error::new_spanned(
            &sig.generics,
            "#[load_test] functions cannot be generic; remove the parameters in `<…>`",
        ));
    } else if let Some(where_clause) = &sig.generics.where_clause {
        errors.push(Error::new_spanned(
            where_clause,
            "#[load_test] functions cannot have a `where` clause; remove it",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(Error::new_spanned(
            variadic,
            "#[load_test] functions cannot be variadic; remove the `...`",
        ));
    } else if let Err(error) = parameter(sig) {
        errors.push(error);
    }
    errors.finish(function)
}

/// `async` must be there; `const`, `unsafe` and `extern "ABI"` must not.
fn qualifiers(sig: &Signature, errors: &mut Errors) {
    if sig.asyncness.is_none() {
        errors.push(Error::new_spanned(
            sig.fn_token,
            "#[load_test] functions must be async: write `async fn`",
        ));
    }
    if let Some(constness) = &sig.constness {
        errors.push(Error::new_spanned(
            constness,
            "#[load_test] functions cannot be `const`; remove it",
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(Error::new_spanned(
            unsafety,
            "#[load_test] functions cannot be `unsafe`; remove it and use an `unsafe { … }` block inside",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(Error::new_spanned(
            abi,
            format!(
                "#[load_test] functions cannot have an ABI; remove `{}`",
                abi.to_token_stream()
            ),
        ));
    }
}

/// Exactly one parameter, a plain name of type `&mut Context`.
fn parameter(sig: &Signature) -> syn::Result<()> {
    if let Some(receiver) = sig.inputs.iter().find(|p| matches!(p, FnArg::Receiver(_))) {
        return Err(Error::new_spanned(
            receiver,
            "#[load_test] functions cannot take `self`; write a free function \
             `async fn name(cx: &mut Context)` outside the impl block",
        ));
    }
    let params: Vec<&FnArg> = sig.inputs.iter().collect();
    let typed = match params.as_slice() {
        [] => {
            // Point at the empty `()`.
            return Err(Error::new(
                sig.paren_token.span.join(),
                "#[load_test] functions take one parameter: write `(cx: &mut Context)`",
            ));
        }
        [FnArg::Typed(typed)] => typed,
        [..] => {
            // Keep the first `&mut Context` (or the first parameter); point at all the others.
            let keep = params
                .iter()
                .position(|p| matches!(p, FnArg::Typed(t) if is_mut_context(&t.ty)))
                .unwrap_or(0);
            let extra = params
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != keep)
                .map(|(_, p)| p);
            return Err(Error::new_spanned(
                quote!(#(#extra)*),
                "#[load_test] functions take only `cx: &mut Context`; remove the other \
                 parameters (per-user values can live in `cx.state`)",
            ));
        }
    };
    if !matches!(&*typed.pat, Pat::Ident(_) | Pat::Wild(_)) {
        return Err(Error::new_spanned(
            &typed.pat,
            "the parameter of a #[load_test] function must be a plain name, e.g. `cx: &mut Context`",
        ));
    }
    if !is_mut_context(&typed.ty) {
        return Err(Error::new_spanned(
            &typed.ty,
            "the parameter of a #[load_test] function must be `&mut Context` (loadcase::Context)",
        ));
    }
    Ok(())
}

/// `&mut Context`, `&mut loadcase::Context`… (the type itself is checked by the compiler).
fn is_mut_context(ty: &Type) -> bool {
    let Type::Reference(reference) = ty else {
        return false;
    };
    let Type::Path(path) = &*reference.elem else {
        return false;
    };
    reference.mutability.is_some()
        && path.qself.is_none()
        && path
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Context" && s.arguments.is_none())
}

/// The error for anything but a function: names what it is, points at its keyword and name.
fn not_a_function(item: &Item) -> Error {
    fn head(keyword: &dyn ToTokens, name: &dyn ToTokens) -> TokenStream {
        quote!(#keyword #name)
    }
    let (what, tokens) = match item {
        Item::Struct(i) => ("a struct", head(&i.struct_token, &i.ident)),
        Item::Enum(i) => ("an enum", head(&i.enum_token, &i.ident)),
        Item::Union(i) => ("a union", head(&i.union_token, &i.ident)),
        Item::Trait(i) => ("a trait", head(&i.trait_token, &i.ident)),
        Item::Impl(i) => ("an impl block", head(&i.impl_token, &i.self_ty)),
        Item::Mod(i) => ("a module", head(&i.mod_token, &i.ident)),
        Item::Const(i) => ("a constant", head(&i.const_token, &i.ident)),
        Item::Static(i) => ("a static", head(&i.static_token, &i.ident)),
        Item::Type(i) => ("a type alias", head(&i.type_token, &i.ident)),
        other => ("this item", other.to_token_stream()),
    };
    Error::new_spanned(
        tokens,
        format!("#[load_test] goes on an `async fn name(cx: &mut Context)`, not on {what}"),
    )
}

/// Collects independent errors into one.
#[derive(Default)]
struct Errors(Option<Error>);

impl Errors {
    fn push(&mut self, error: Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }
}
