//! The two responses: [`Response`] from `cx.session`, shaped as `reqwest::Response` (async body
//! readers that consume it, `error_for_status`), and [`AppResponse`] from `cx.app`, WebTest's
//! page (a status already checked, the body at hand without `await`).
//!
//! loadcase reads every body in full before `send()` returns (as python-requests does), so that
//! time to last byte is measured and the connection goes back to the pool; the readers then
//! hand back what was read, or how reading it ended.

use std::fmt;
use std::net::SocketAddr;

use bytes::Bytes;
use reqwest::header::{self, HeaderMap};
use reqwest::{StatusCode, Url, Version};
use serde::de::DeserializeOwned;

use crate::http::error::SendError;

/// What a response's head said, and where it came from.
#[derive(Clone, Debug)]
pub(crate) struct Head {
    pub status: StatusCode,
    pub version: Version,
    pub headers: HeaderMap,
    /// hyper's: a non-canonical reason phrase.
    pub extensions: http::Extensions,
    /// The server's address, from the connection: kept here rather than as an extension, which
    /// would be a map allocated for every response.
    pub remote_addr: Option<SocketAddr>,
    /// The final URL, after redirects.
    pub url: Url,
    /// The body's exact length as hyper knew it from the head (what reqwest's
    /// `content_length` says): `Content-Length`, or 0 for a response without a body.
    pub content_length: Option<u64>,
}

/// The accessors both responses have, reading `self.head`.
macro_rules! head_accessors {
    () => {
        /// The status code. Compares with integers: `assert_eq!(r.status(), 200)`.
        pub fn status(&self) -> StatusCode {
            self.head.status
        }

        /// The HTTP version of the response.
        pub fn version(&self) -> Version {
            self.head.version
        }

        /// The headers.
        pub fn headers(&self) -> &HeaderMap {
            &self.head.headers
        }

        /// The final URL, after redirects.
        pub fn url(&self) -> &Url {
            &self.head.url
        }
    };
}

/// A response to a [`cx.session`](crate::Session) request: `reqwest::Response`'s methods,
/// with reqwest's signatures and meaning, so that a reqwest test ports by renaming its client.
///
/// ```no_run
/// # use loadcase::prelude::*;
/// #[derive(serde::Deserialize)]
/// struct Health {
///     status: String,
/// }
///
/// # async fn hit(cx: &mut Context) -> TestResult {
/// let health = cx
///     .session
///     .get("http://127.0.0.1:8080/health")
///     .send()
///     .await?
///     .error_for_status()?
///     .json::<Health>()
///     .await?;
/// assert_eq!(health.status, "green");
/// # Ok(())
/// # }
/// ```
///
/// The body has been read by the time `send()` returns (it is timed and recorded then), so
/// [`text`](Self::text), [`json`](Self::json), [`bytes`](Self::bytes) and
/// [`chunk`](Self::chunk) are ready at once; their `await` is for reqwest's signatures. A body
/// that could not be read in full does not fail `send()`, as in reqwest: the readers return its
/// error ([`SendError::is_decode`]), and the request is recorded as an error.
pub struct Response {
    head: Head,
    body: Result<Bytes, SendError>,
}

impl Response {
    pub(crate) fn new(head: Head, body: Result<Bytes, SendError>) -> Self {
        Response { head, body }
    }

    head_accessors!();

    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.head.headers
    }

    /// The length of the body, when the response's head told it: as reqwest's, the body's
    /// size and not the `Content-Length` header itself (read [`headers`](Self::headers) for
    /// that): `Some(0)` for a response that has no body (to a `HEAD`, a 204 or a 304), `None`
    /// for a chunked body.
    pub fn content_length(&self) -> Option<u64> {
        self.head.content_length
    }

    /// The address of the server that sent the response.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.head.remote_addr
    }

    /// The body as text, decoded from the `charset` of its `Content-Type` (UTF-8 when it has
    /// none), a byte-order mark stripped and malformed sequences replaced with `�`, as reqwest
    /// decodes it.
    pub async fn text(self) -> Result<String, SendError> {
        self.text_with_charset("utf-8").await
    }

    /// The body as text as [`text`](Self::text) decodes it, with `default_encoding` (an
    /// [encoding label](https://encoding.spec.whatwg.org/#names-and-labels) such as
    /// `"windows-1252"`) when the `Content-Type` names no charset.
    pub async fn text_with_charset(self, default_encoding: &str) -> Result<String, SendError> {
        let charset = self
            .head
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<mime::Mime>().ok())
            .and_then(|mime| mime.get_param("charset").map(|c| c.as_str().to_owned()));
        let label = charset.as_deref().unwrap_or(default_encoding);
        let encoding =
            encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::UTF_8);
        let body = self.body?;
        let (text, _, _) = encoding.decode(&body);
        Ok(text.into_owned())
    }

    /// The body deserialized from JSON; a body that is not `T` in JSON is a decode error for
    /// the response's URL.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, SendError> {
        let body = self.body?;
        serde_json::from_slice(&body).map_err(|e| SendError::decode(&self.head.url, e))
    }

    /// The body.
    pub async fn bytes(self) -> Result<Bytes, SendError> {
        self.body
    }

    /// The next chunk of the body, `None` at its end. The body was read before `send()`
    /// returned, so it comes in one chunk (empty bodies in none); a body whose reading failed
    /// gives its error, without the URL as reqwest's `chunk` gives it.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, SendError> {
        match std::mem::replace(&mut self.body, Ok(Bytes::new())) {
            Ok(body) if body.is_empty() => Ok(None),
            Ok(body) => Ok(Some(body)),
            Err(error) => Err(error.without_url()),
        }
    }

    /// The response, or a status error ([`SendError::is_status`]) for a 4xx or 5xx status:
    /// `HTTP status client error (404 Not Found) for url (…)`.
    pub fn error_for_status(self) -> Result<Self, SendError> {
        match self.status_error() {
            Some(error) => Err(error),
            None => Ok(self),
        }
    }

    /// As [`error_for_status`](Self::error_for_status), keeping the response.
    pub fn error_for_status_ref(&self) -> Result<&Self, SendError> {
        match self.status_error() {
            Some(error) => Err(error),
            None => Ok(self),
        }
    }

    fn status_error(&self) -> Option<SendError> {
        let status = self.head.status;
        (status.is_client_error() || status.is_server_error()).then(|| {
            let reason = self
                .head
                .extensions
                .get::<hyper::ext::ReasonPhrase>()
                .cloned();
            SendError::status_code(&self.head.url, status, reason)
        })
    }

    /// The page `cx.app` returns, or the error its body was read with.
    pub(crate) fn into_app_response(self) -> Result<AppResponse, SendError> {
        Ok(AppResponse {
            body: self.body?,
            head: self.head,
        })
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("url", &self.head.url.as_str())
            .field("status", &self.head.status)
            .field("headers", &self.head.headers)
            .finish()
    }
}

/// A response to a [`cx.app`](crate::App) request, whose status the app accepted: its body at
/// hand, as WebTest's pages have it.
///
/// ```no_run
/// # use loadcase::prelude::*;
/// # async fn hit(cx: &mut Context) -> TestResult {
/// let page = cx.app.get("/").await?;
/// assert!(page.text().contains("Search"));
/// assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct AppResponse {
    head: Head,
    body: Bytes,
}

impl AppResponse {
    head_accessors!();

    /// One header's value, when present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body deserialized from JSON; a body that is not `T` in JSON is a decode error
    /// ([`SendError::is_decode`]) for the page's URL.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, SendError> {
        serde_json::from_slice(&self.body).map_err(|e| SendError::decode(&self.head.url, e))
    }

    /// The raw body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// A short one-line excerpt of the body, for failure messages.
    pub(crate) fn excerpt(&self) -> String {
        const MAX: usize = 200;
        let text = self.text();
        let flat: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let flat = flat.trim();
        match flat.char_indices().nth(MAX) {
            Some((cut, _)) => format!("{}…", &flat[..cut]),
            None => flat.to_owned(),
        }
    }
}
