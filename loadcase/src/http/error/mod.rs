//! What went wrong with a session request, as reqwest's `Error` says it: no response, a body
//! that could not be read or decoded, an error status turned into an error, a redirect loop, a
//! request that could not be built. Requests that go through reqwest carry reqwest's own error;
//! loadcase's lean HTTP/1.1 path and the response's readers make theirs with reqwest's kinds,
//! words and URL, so that a test cannot tell which path a request took.

use std::error::Error as StdError;
use std::fmt;

use hyper::ext::ReasonPhrase;
use reqwest::{StatusCode, Url};

mod causes;

pub(crate) use causes::{BoxError, ClientError, DnsError};
use causes::{InvalidUri, TimedOut, TooLarge};

/// A session request that went wrong: the counterpart of `reqwest::Error`, with its accessors
/// ([`is_timeout`](Self::is_timeout), [`is_status`](Self::is_status), [`status`](Self::status),
/// [`url`](Self::url), …), which answer as reqwest's would for the same exchange.
///
/// [`send`](crate::RequestBuilder::send) gives one when no response came (connect error,
/// timeout, redirect loop, a request that could not be built); a [`Response`](crate::Response)'s
/// body readers when its body could not be read in full or decoded (`is_decode`), and
/// [`error_for_status`](crate::Response::error_for_status) for a 4xx or 5xx status
/// (`is_status`). Its [`Display`](fmt::Display) is reqwest's (`error sending request for url
/// (…)`), and its [`source`](StdError::source)s say what happened underneath. With `?` in a
/// hit it becomes an *error* of that hit.
///
/// ```
/// # async fn hit(cx: &mut loadcase::Context) -> Result<(), loadcase::SendError> {
/// match cx.session.get("http://127.0.0.1:8080/missing").send().await?.error_for_status() {
///     Ok(page) => println!("{}", page.text().await?),
///     Err(e) if e.status() == Some(loadcase::reqwest::StatusCode::NOT_FOUND) => {}
///     Err(e) => return Err(e),
/// }
/// # Ok(())
/// # }
/// ```
pub struct SendError {
    repr: Repr,
}

enum Repr {
    /// From reqwest, which answers every question about it itself.
    Reqwest(reqwest::Error),
    /// Made by loadcase, as reqwest would have made it.
    Own(Box<Own>),
}

struct Own {
    kind: Kind,
    url: Option<Url>,
    source: Option<BoxError>,
}

/// reqwest's kinds of error, less `Upgrade` (the session does not upgrade connections).
#[derive(Debug)]
enum Kind {
    Builder,
    Request,
    Redirect,
    Status(StatusCode, Option<ReasonPhrase>),
    Body,
    Decode,
}

// Constructors, one for each way reqwest makes the same error.
impl SendError {
    fn own(kind: Kind, url: Option<&Url>, source: Option<BoxError>) -> Self {
        SendError {
            repr: Repr::Own(Box::new(Own {
                kind,
                url: url.cloned(),
                source,
            })),
        }
    }

    /// No response: `error sending request for url (…)`, caused by `source`.
    pub(crate) fn request(url: &Url, source: impl Into<BoxError>) -> Self {
        Self::own(Kind::Request, Some(url), Some(source.into()))
    }

    /// No response in time: a request error caused by `operation timed out`.
    pub(crate) fn timeout(url: &Url) -> Self {
        Self::request(url, TimedOut)
    }

    /// Too many redirects: `error following redirect for url (…): too many redirects`, with no
    /// source (see the `Display` impl).
    pub(crate) fn redirects(url: &Url) -> Self {
        Self::own(Kind::Redirect, Some(url), None)
    }

    /// A URL that `http::Uri` does not take, as reqwest's builder error for it.
    pub(crate) fn invalid_uri(url: &Url) -> Self {
        Self::own(Kind::Builder, Some(url), Some(Box::new(InvalidUri)))
    }

    /// The body could not be read in full: reqwest's `decode(body(source))` for the response's
    /// URL (it reads bodies through a timeout layer whose errors are body errors).
    pub(crate) fn body_read(url: &Url, source: impl Into<BoxError>) -> Self {
        let body = Self::own(Kind::Body, None, Some(source.into()));
        Self::own(Kind::Decode, Some(url), Some(Box::new(body)))
    }

    /// A body larger than the response may keep: read, counted and timed, not kept.
    pub(crate) fn too_large(url: &Url, received: u64, limit: u64) -> Self {
        let body = Self::own(
            Kind::Body,
            None,
            Some(Box::new(TooLarge { received, limit })),
        );
        Self::own(Kind::Decode, Some(url), Some(Box::new(body)))
    }

    /// The body did not arrive in time, as reqwest's body timeout says it.
    pub(crate) fn body_timeout(url: &Url) -> Self {
        Self::body_read(url, TimedOut)
    }

    /// The body is not what it was to be decoded as (`json`).
    pub(crate) fn decode(url: &Url, source: impl Into<BoxError>) -> Self {
        Self::own(Kind::Decode, Some(url), Some(source.into()))
    }

    /// A 4xx or 5xx status, from `error_for_status`.
    pub(crate) fn status_code(url: &Url, status: StatusCode, reason: Option<ReasonPhrase>) -> Self {
        Self::own(Kind::Status(status, reason), Some(url), None)
    }
}

// reqwest's accessors.
impl SendError {
    /// The URL the error is about, when known: the request's, or the response's (after
    /// redirects) for body, decode and status errors.
    pub fn url(&self) -> Option<&Url> {
        match &self.repr {
            Repr::Reqwest(e) => e.url(),
            Repr::Own(own) => own.url.as_ref(),
        }
    }

    /// The URL, to change (e.g. to take a secret out of its query) without removing it.
    pub fn url_mut(&mut self) -> Option<&mut Url> {
        match &mut self.repr {
            Repr::Reqwest(e) => e.url_mut(),
            Repr::Own(own) => own.url.as_mut(),
        }
    }

    /// The same error about `url` (overwriting any URL it had).
    pub fn with_url(self, url: Url) -> Self {
        match self.repr {
            Repr::Reqwest(e) => e.with_url(url).into(),
            Repr::Own(mut own) => {
                own.url = Some(url);
                SendError {
                    repr: Repr::Own(own),
                }
            }
        }
    }

    /// The same error without its URL (if, for example, it holds a secret).
    pub fn without_url(self) -> Self {
        match self.repr {
            Repr::Reqwest(e) => e.without_url().into(),
            Repr::Own(mut own) => {
                own.url = None;
                SendError {
                    repr: Repr::Own(own),
                }
            }
        }
    }

    /// Whether the error is of a kind: reqwest's answer for its errors, `own` for loadcase's.
    fn is(&self, reqwest: fn(&reqwest::Error) -> bool, own: fn(&Kind) -> bool) -> bool {
        match &self.repr {
            Repr::Reqwest(e) => reqwest(e),
            Repr::Own(o) => own(&o.kind),
        }
    }

    /// Whether any error of the chain below this one is `what`, as reqwest's `is_timeout`,
    /// `is_connect` and `is_dns` look.
    fn caused_by(&self, what: fn(&(dyn StdError + 'static)) -> bool) -> bool {
        let mut cause = self.source();
        while let Some(error) = cause {
            if what(error) {
                return true;
            }
            cause = error.source();
        }
        false
    }

    /// The request could not be built (a bad URL, a header, a body that did not serialize).
    pub fn is_builder(&self) -> bool {
        self.is(reqwest::Error::is_builder, |k| matches!(k, Kind::Builder))
    }

    /// Following redirects failed: too many of them (ten at most).
    pub fn is_redirect(&self) -> bool {
        self.is(reqwest::Error::is_redirect, |k| matches!(k, Kind::Redirect))
    }

    /// The error comes from [`error_for_status`](crate::Response::error_for_status) or
    /// [`error_for_status_ref`](crate::Response::error_for_status_ref).
    pub fn is_status(&self) -> bool {
        self.is(reqwest::Error::is_status, |k| matches!(k, Kind::Status(..)))
    }

    /// Something timed out: the request (no response in time) or the reading of its body.
    /// Like reqwest's, this looks through the whole chain of causes.
    pub fn is_timeout(&self) -> bool {
        if let Repr::Reqwest(e) = &self.repr {
            return e.is_timeout();
        }
        self.caused_by(|error| {
            error.is::<TimedOut>()
                || error
                    .downcast_ref::<reqwest::Error>()
                    .is_some_and(reqwest::Error::is_timeout)
                || error
                    .downcast_ref::<SendError>()
                    .is_some_and(SendError::is_timeout)
                || error
                    .downcast_ref::<hyper::Error>()
                    .is_some_and(hyper::Error::is_timeout)
                || error
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut)
        })
    }

    /// The request could not be sent or got no response (connect errors and timeouts included).
    pub fn is_request(&self) -> bool {
        self.is(reqwest::Error::is_request, |k| matches!(k, Kind::Request))
    }

    /// Connecting to the server failed (refused, unreachable, name not resolved, TLS).
    pub fn is_connect(&self) -> bool {
        if let Repr::Reqwest(e) = &self.repr {
            return e.is_connect();
        }
        self.caused_by(|error| {
            error
                .downcast_ref::<ClientError>()
                .is_some_and(ClientError::is_connect)
        })
    }

    /// Resolving the server's name failed.
    pub fn is_dns(&self) -> bool {
        if let Repr::Reqwest(e) = &self.repr {
            return e.is_dns();
        }
        self.caused_by(|error| error.is::<DnsError>())
    }

    /// A request or response body error, as reqwest's kind of that name: the outer error of a
    /// body that could not be read is a decode error ([`is_decode`](Self::is_decode)), as in
    /// reqwest, with a body error as its source.
    pub fn is_body(&self) -> bool {
        self.is(reqwest::Error::is_body, |k| matches!(k, Kind::Body))
    }

    /// The response's body could not be read in full, or not decoded as asked (`json`).
    pub fn is_decode(&self) -> bool {
        self.is(reqwest::Error::is_decode, |k| matches!(k, Kind::Decode))
    }

    /// Upgrading the connection failed; the session does not upgrade connections (its
    /// WebSockets are [`cx.ws`](crate::Context::ws)'s), so only reqwest could say so.
    pub fn is_upgrade(&self) -> bool {
        self.is(reqwest::Error::is_upgrade, |_| false)
    }

    /// The status, for an error made by [`error_for_status`](crate::Response::error_for_status).
    pub fn status(&self) -> Option<StatusCode> {
        match &self.repr {
            Repr::Reqwest(e) => e.status(),
            Repr::Own(own) => match own.kind {
                Kind::Status(status, _) => Some(status),
                _ => None,
            },
        }
    }

    /// The reqwest error underneath, for requests that went through reqwest (https, HTTP/2,
    /// other HTTP versions, streamed bodies, or a request that could not be built).
    pub fn reqwest(&self) -> Option<&reqwest::Error> {
        match &self.repr {
            Repr::Reqwest(e) => Some(e),
            Repr::Own(_) => None,
        }
    }
}

/// reqwest's words, with one difference: a redirect error says `: too many redirects` itself,
/// where reqwest's has it as its source. loadcase's lean path has always said it so (and its
/// tests hold it to that); a redirect error from reqwest is shown the same way, so that the
/// text is the same on both paths, and the whole chain reads as reqwest's does.
impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let own = match &self.repr {
            Repr::Reqwest(e) => {
                fmt::Display::fmt(e, f)?;
                if let (true, Some(cause)) = (e.is_redirect(), e.source()) {
                    write!(f, ": {cause}")?;
                }
                return Ok(());
            }
            Repr::Own(own) => own,
        };
        match &own.kind {
            Kind::Builder => f.write_str("builder error")?,
            Kind::Request => f.write_str("error sending request")?,
            Kind::Body => f.write_str("request or response body error")?,
            Kind::Decode => f.write_str("error decoding response body")?,
            Kind::Redirect => f.write_str("error following redirect")?,
            Kind::Status(code, reason) => {
                let prefix = if code.is_client_error() {
                    "HTTP status client error"
                } else {
                    "HTTP status server error"
                };
                match reason {
                    Some(reason) => {
                        write!(f, "{prefix} ({} ", code.as_str())?;
                        escape(reason.as_bytes(), f)?;
                        f.write_str(")")?;
                    }
                    None => write!(f, "{prefix} ({code})")?,
                }
            }
        }
        if let Some(url) = &own.url {
            write!(f, " for url ({url})")?;
        }
        if matches!(own.kind, Kind::Redirect) {
            f.write_str(": too many redirects")?;
        }
        Ok(())
    }
}

/// A reason phrase as reqwest prints it (its `util::Escape`): Rust's byte escapes for `\n`,
/// `\r`, `\t`, `\\`, `"` and NUL, printable ASCII as it is, `\xNN` for the rest.
fn escape(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for &c in bytes {
        match c {
            b'\n' => f.write_str("\\n")?,
            b'\r' => f.write_str("\\r")?,
            b'\t' => f.write_str("\\t")?,
            b'\\' | b'"' => write!(f, "\\{}", c as char)?,
            b'\0' => f.write_str("\\0")?,
            0x20..0x7f => write!(f, "{}", c as char)?,
            _ => write!(f, "\\x{c:02x}")?,
        }
    }
    Ok(())
}

impl fmt::Debug for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let own = match &self.repr {
            Repr::Reqwest(e) => return fmt::Debug::fmt(e, f),
            Repr::Own(own) => own,
        };
        let mut debug = f.debug_struct("loadcase::SendError");
        debug.field("kind", &own.kind);
        if let Some(url) = &own.url {
            debug.field("url", &url.as_str());
        }
        if let Some(source) = &own.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

impl StdError for SendError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.repr {
            // A redirect error's cause is in its Display already.
            Repr::Reqwest(e) if e.is_redirect() => e.source().and_then(StdError::source),
            Repr::Reqwest(e) => e.source(),
            Repr::Own(own) => own.source.as_deref().map(|e| e as _),
        }
    }
}

impl From<reqwest::Error> for SendError {
    fn from(error: reqwest::Error) -> Self {
        SendError {
            repr: Repr::Reqwest(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("http://127.0.0.1:1/x?a=1").unwrap()
    }

    #[test]
    fn words_are_reqwests() {
        assert_eq!(
            SendError::timeout(&url()).to_string(),
            "error sending request for url (http://127.0.0.1:1/x?a=1)"
        );
        let status = SendError::status_code(&url(), StatusCode::NOT_FOUND, None);
        assert_eq!(
            status.to_string(),
            "HTTP status client error (404 Not Found) for url (http://127.0.0.1:1/x?a=1)"
        );
        let reason = ReasonPhrase::try_from(&b"Gone \"fishin'\" \xe9"[..]).unwrap();
        let status = SendError::status_code(&url(), StatusCode::BAD_GATEWAY, Some(reason));
        assert_eq!(
            status.without_url().to_string(),
            "HTTP status server error (502 Gone \\\"fishin'\\\" \\xe9)"
        );
        let body = SendError::body_timeout(&url());
        assert_eq!(
            crate::outcome::error::chain(&body),
            "error decoding response body for url (http://127.0.0.1:1/x?a=1): \
             request or response body error: operation timed out"
        );
    }

    #[test]
    fn accessors_are_reqwests() {
        let timeout = SendError::timeout(&url());
        assert!(timeout.is_timeout() && timeout.is_request() && !timeout.is_connect());
        assert_eq!(timeout.status(), None);
        let body = SendError::body_timeout(&url());
        assert!(body.is_decode() && body.is_timeout() && !body.is_body() && !body.is_request());
        let status = SendError::status_code(&url(), StatusCode::INTERNAL_SERVER_ERROR, None);
        assert!(status.is_status() && !status.is_timeout() && !status.is_decode());
        assert_eq!(status.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
        let mut status = status.with_url(Url::parse("http://h/y").unwrap());
        status.url_mut().unwrap().set_query(Some("redacted"));
        assert_eq!(status.url().unwrap().as_str(), "http://h/y?redacted");
        let redirects = SendError::redirects(&url());
        assert!(redirects.is_redirect() && redirects.source().is_none());
        assert!(SendError::invalid_uri(&url()).is_builder());
    }
}
