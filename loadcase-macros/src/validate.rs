//! Checks that the attribute sits on something it can run: `async fn name(cx: &mut Context)`.

use syn::{FnArg, ItemFn, Pat, Type};

pub fn function(item: proc_macro2::TokenStream) -> syn::Result<ItemFn> {
    let function: ItemFn = syn::parse2(item).map_err(|e| {
        syn::Error::new(
            e.span(),
            "#[load_test] goes on an `async fn name(cx: &mut Context)`",
        )
    })?;
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            sig.fn_token,
            "#[load_test] functions must be `async fn`",
        ));
    }
    if let Some(constness) = &sig.constness {
        return Err(syn::Error::new_spanned(
            constness,
            "#[load_test] functions cannot be `const`",
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        return Err(syn::Error::new_spanned(
            unsafety,
            "#[load_test] functions cannot be `unsafe`",
        ));
    }
    if let Some(abi) = &sig.abi {
        return Err(syn::Error::new_spanned(
            abi,
            "#[load_test] functions cannot have an ABI",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "#[load_test] functions cannot be generic",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        return Err(syn::Error::new_spanned(
            variadic,
            "#[load_test] functions cannot be variadic",
        ));
    }
    if function.attrs.iter().any(|a| a.path().is_ident("test")) {
        let attr = function
            .attrs
            .iter()
            .find(|a| a.path().is_ident("test"))
            .expect("found above");
        return Err(syn::Error::new_spanned(
            attr,
            "remove #[test]: #[load_test] makes the function a test already",
        ));
    }
    let params: Vec<&FnArg> = sig.inputs.iter().collect();
    let [param] = params.as_slice() else {
        return Err(syn::Error::new_spanned(
            &sig.inputs,
            "#[load_test] functions take exactly one parameter: `cx: &mut Context`",
        ))
        .map_err(|e| {
            if sig.inputs.is_empty() {
                syn::Error::new_spanned(&sig.ident, e.to_string())
            } else {
                e
            }
        });
    };
    let FnArg::Typed(typed) = param else {
        return Err(syn::Error::new_spanned(
            param,
            "#[load_test] functions cannot take `self`; write `cx: &mut Context`",
        ));
    };
    if !matches!(&*typed.pat, Pat::Ident(_) | Pat::Wild(_)) {
        return Err(syn::Error::new_spanned(
            &typed.pat,
            "name the parameter, e.g. `cx: &mut Context`",
        ));
    }
    let is_mut_context = match &*typed.ty {
        Type::Reference(reference) => {
            reference.mutability.is_some()
                && matches!(&*reference.elem, Type::Path(p) if p.qself.is_none()
                    && p.path.segments.last().is_some_and(|s| s.ident == "Context" && s.arguments.is_none()))
        }
        _ => false,
    };
    if !is_mut_context {
        return Err(syn::Error::new_spanned(
            &typed.ty,
            "the parameter must be `&mut Context` (loadcase::Context)",
        ));
    }
    Ok(function)
}
