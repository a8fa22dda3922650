//! The causes loadcase puts under its own errors, each worded as the one reqwest (or hyper-util,
//! below it) puts in the same place.

use std::error::Error as StdError;
use std::fmt;

/// Any error, as a cause.
pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// Why a body that was read in full is not there to read.
#[derive(Debug)]
pub(super) struct TooLarge {
    pub(super) received: u64,
    pub(super) limit: u64,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the body's {} bytes are more than the {} a response keeps in memory (it was read, counted and timed, not kept); raise the limit with --body-limit or the request's .body_limit(…) to read it",
            self.received, self.limit
        )
    }
}

impl StdError for TooLarge {}

/// The innermost cause of a timeout, worded as reqwest's.
#[derive(Debug)]
pub(super) struct TimedOut;

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation timed out")
    }
}

impl StdError for TimedOut {}

/// A name that did not resolve, as reqwest's resolver says it: the lean path's resolver
/// ([`transport`](crate::http::transport)) wraps its errors in it, so that
/// [`SendError::is_dns`] finds it there as in reqwest's chain.
#[derive(Debug)]
pub(crate) struct DnsError(pub BoxError);

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("error resolving DNS")
    }
}

impl StdError for DnsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// How reqwest words a `Url` it could not turn into a `Uri`.
#[derive(Debug)]
pub(super) struct InvalidUri;

impl fmt::Display for InvalidUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Parsed Url is not a valid Uri")
    }
}

impl StdError for InvalidUri {}

/// What hyper-util's client says when a request got no response: a connection that could not be
/// made (`client error (Connect)`), or a request that could not be sent on one (`client error
/// (SendRequest)`, or `(Canceled)` when it was not sent at all). The lean path owns its
/// connections instead of going through that client, and words its errors as the client does.
#[derive(Debug)]
pub(crate) struct ClientError {
    kind: ClientKind,
    source: BoxError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientKind {
    Connect,
    SendRequest,
    Canceled,
}

impl ClientError {
    /// The connection could not be made.
    pub(crate) fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(ClientKind::Connect, source)
    }

    /// The request went out (or partly) and no response came.
    pub(crate) fn send(source: impl Into<BoxError>) -> Self {
        Self::new(ClientKind::SendRequest, source)
    }

    /// The connection ended before the request could be sent.
    pub(crate) fn canceled(source: impl Into<BoxError>) -> Self {
        Self::new(ClientKind::Canceled, source)
    }

    fn new(kind: ClientKind, source: impl Into<BoxError>) -> Self {
        ClientError {
            kind,
            source: source.into(),
        }
    }

    /// Whether connecting failed, as hyper-util's `is_connect` answers.
    pub(crate) fn is_connect(&self) -> bool {
        self.kind == ClientKind::Connect
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client error ({:?})", self.kind)
    }
}

impl StdError for ClientError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}
