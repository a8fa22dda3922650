//! Why a session request got no (complete) response: from reqwest, or from loadcase's own lean
//! HTTP/1.1 path, with reqwest's wording so that messages read the same whichever path a request
//! took.

use std::fmt;

/// A request that failed: no response, a response whose body could not be read, a timeout, or
/// too many redirects. Its [`Display`](fmt::Display) with its
/// [`source`](std::error::Error::source)s says what happened underneath.
#[derive(Debug)]
pub struct SendError {
    kind: Kind,
    url: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.url.as_deref().unwrap_or("");
        match self.kind {
            // Shown as reqwest shows it; its own sources follow as this error's.
            Kind::Reqwest => match &self.source {
                Some(error) => fmt::Display::fmt(error, f),
                None => Ok(()),
            },
            Kind::Request | Kind::Timeout => write!(f, "error sending request for url ({url})"),
            Kind::Body => write!(f, "error decoding response body from url ({url})"),
            Kind::Redirects => write!(
                f,
                "error following redirect for url ({url}): too many redirects"
            ),
        }
    }
}

impl std::error::Error for SendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let source = self.source.as_deref()?;
        match self.kind {
            Kind::Reqwest => source.source(),
            _ => Some(source),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Reqwest,
    Request,
    Body,
    Timeout,
    Redirects,
}

/// The part of a timeout error that names it, as reqwest's does.
#[derive(Debug, thiserror::Error)]
#[error("operation timed out")]
struct TimedOut;

impl SendError {
    pub(crate) fn request(
        url: &str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::new(Kind::Request, url, Some(Box::new(source)))
    }

    pub(crate) fn body(url: &str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::new(Kind::Body, url, Some(Box::new(source)))
    }

    pub(crate) fn timeout(url: &str) -> Self {
        Self::new(Kind::Timeout, url, Some(Box::new(TimedOut)))
    }

    pub(crate) fn redirects(url: &str) -> Self {
        Self::new(Kind::Redirects, url, None)
    }

    fn new(
        kind: Kind,
        url: &str,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        SendError {
            kind,
            url: Some(url.to_owned()),
            source,
        }
    }

    /// The request or a response part timed out.
    pub fn is_timeout(&self) -> bool {
        match self.kind {
            Kind::Timeout => true,
            Kind::Reqwest => self.reqwest().is_some_and(reqwest::Error::is_timeout),
            _ => false,
        }
    }

    /// Connecting to the server failed (refused, unreachable, DNS).
    pub fn is_connect(&self) -> bool {
        match self.kind {
            Kind::Request => self
                .source
                .as_deref()
                .and_then(|s| s.downcast_ref::<hyper_util::client::legacy::Error>())
                .is_some_and(hyper_util::client::legacy::Error::is_connect),
            Kind::Reqwest => self.reqwest().is_some_and(reqwest::Error::is_connect),
            _ => false,
        }
    }

    /// Too many redirects were followed (ten at most).
    pub fn is_redirect(&self) -> bool {
        match self.kind {
            Kind::Redirects => true,
            Kind::Reqwest => self.reqwest().is_some_and(reqwest::Error::is_redirect),
            _ => false,
        }
    }

    /// The response's body could not be read in full.
    pub fn is_body(&self) -> bool {
        match self.kind {
            Kind::Body => true,
            Kind::Reqwest => self.reqwest().is_some_and(reqwest::Error::is_body),
            _ => false,
        }
    }

    /// The URL of the request, when known.
    pub fn url(&self) -> Option<&str> {
        match self.kind {
            Kind::Reqwest => self.reqwest().and_then(|e| e.url()).map(|u| u.as_str()),
            _ => self.url.as_deref(),
        }
    }

    /// The reqwest error underneath, for requests that went through reqwest (https, HTTP/2,
    /// streamed bodies, or a request that could not be built).
    pub fn reqwest(&self) -> Option<&reqwest::Error> {
        self.source.as_deref()?.downcast_ref()
    }
}

impl From<reqwest::Error> for SendError {
    fn from(error: reqwest::Error) -> Self {
        SendError {
            kind: Kind::Reqwest,
            url: None,
            source: Some(Box::new(error)),
        }
    }
}
