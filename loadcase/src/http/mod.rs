//! HTTP for a virtual user: [`Session`](crate::Session) (reqwest's API, every request recorded),
//! [`App`](crate::App) (requests rooted at the server URL, WebTest-style), their responses and
//! errors, and the transport underneath (a lean HTTP/1.1 path, reqwest for the rest).

pub(crate) mod app;
pub(crate) mod client;
mod cookies;
pub(crate) mod error;
mod methods;
pub(crate) mod response;
pub(crate) mod server_url;
pub(crate) mod session;
pub(crate) mod transport;
