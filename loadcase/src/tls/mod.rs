//! TLS for every connection a virtual user makes (`cx.session`, `cx.app`, `cx.ws`, quick
//! mode): the client configuration a plan asks for ([`config`]: the platform's roots, plus a CA
//! of `--ca-cert`, or no checks with `--insecure`), and TLS failures in words ([`words`]).
//!
//! It sits below everything else in the crate: it uses nothing of it, so that the rendering of
//! any error ([`crate::outcome::error::chain`]) can explain a TLS failure found in its causes.

pub(crate) mod config;
pub(crate) mod words;
