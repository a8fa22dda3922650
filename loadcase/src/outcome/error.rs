//! The error a hit ends with, and how it is classified.

use std::fmt;
use std::panic::Location;

use serde::{Deserialize, Serialize};

/// How a hit that did not succeed is counted.
///
/// Loads' vocabulary: a *failure* is the test saying "the service is wrong" (an `assert!`, a panic,
/// an unexpected status through [`cx.app`](crate::App), [`fail!`](crate::fail)); an *error* is
/// anything else that stopped the hit, typically a transport error propagated with `?`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemKind {
    /// The test decided the service misbehaved.
    Failure,
    /// The hit could not be completed.
    Error,
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProblemKind::Failure => "failure",
            ProblemKind::Error => "error",
        })
    }
}

/// The error type of [`TestResult`](crate::TestResult).
///
/// Any `std::error::Error` converts into it with `?`, and the conversion records the source
/// location of that `?`, so that the summary can say where errors came from. Like
/// `anyhow::Error`, it deliberately does not implement `std::error::Error` itself.
pub struct Error {
    kind: ProblemKind,
    message: String,
    location: &'static Location<'static>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A failure: the service did something the test does not accept.
    #[track_caller]
    pub fn failure(message: impl Into<String>) -> Self {
        Self::with_kind(ProblemKind::Failure, message)
    }

    /// An error: the hit could not be completed.
    #[track_caller]
    pub fn new(message: impl Into<String>) -> Self {
        Self::with_kind(ProblemKind::Error, message)
    }

    #[track_caller]
    fn with_kind(kind: ProblemKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            location: Location::caller(),
            source: None,
        }
    }

    /// Whether this counts as a failure or an error.
    pub fn kind(&self) -> ProblemKind {
        self.kind
    }

    /// The message, including the chain of sources.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the error was raised or propagated with `?`.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The underlying error, when it came from one.
    pub fn source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }
}

/// Renders an error with its whole chain of causes, `a: b: c`, skipping a cause whose text the
/// outer message already contains (reqwest and hyper repeat themselves), and ending with what a
/// TLS failure among them means and how to fix it.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        next = cause.source();
    }
    if let Some(words) = crate::tls::words::explain(error) {
        text.push_str(": ");
        text.push_str(&words);
    }
    text
}

impl<E> From<E> for Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    #[track_caller]
    fn from(error: E) -> Self {
        Error {
            kind: ProblemKind::Error,
            message: chain(&error),
            location: Location::caller(),
            source: Some(Box::new(error)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.kind, self.location, self.message)
    }
}

/// Ends the hit as a **failure** with a formatted message, like `anyhow::bail!`.
///
/// Works in a test returning [`TestResult`](crate::TestResult):
///
/// ```
/// # use loadcase::prelude::*;
/// fn check(status: u16) -> TestResult {
///     if status != 200 {
///         loadcase::fail!("unexpected status {status}");
///     }
///     Ok(())
/// }
/// assert!(check(500).is_err());
/// ```
#[macro_export]
macro_rules! fail {
    ($($arg:tt)+) => {
        return ::core::result::Result::Err(::core::convert::From::from(
            $crate::Error::failure(::std::format!($($arg)+)),
        ))
    };
}

impl Error {
    /// Points the error at the place the user wrote the request, rather than inside loadcase.
    pub(crate) fn relocate(&mut self, location: &'static Location<'static>) {
        self.location = location;
    }
}
