//! One logged request, as it is formatted and as it reads back.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// How much of a failed response's body is kept.
pub const BODY_EXCERPT: usize = 1024;

/// One logged request: its strings borrowed where it is written, owned where it is read back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry<'a> {
    /// When it was sent, milliseconds since the Unix epoch.
    pub time_unix_ms: f64,
    /// The virtual user, from 0.
    pub user: u64,
    /// Its name in the statistics.
    pub name: Cow<'a, str>,
    /// HTTP method.
    pub method: Cow<'a, str>,
    /// The URL, without a password.
    pub url: Cow<'a, str>,
    /// Status, if a response came.
    pub status: Option<u16>,
    /// `ok` or `error` (as the request table counts them).
    pub outcome: Cow<'a, str>,
    /// Why it failed, for transport errors (left out of a JSON line when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Cow<'a, str>>,
    /// Total time, ms.
    pub time_ms: f64,
    /// Time to first byte, ms.
    pub ttfb_ms: Option<f64>,
    /// Time to last byte, ms.
    pub ttlb_ms: Option<f64>,
    /// Request body bytes.
    pub bytes_sent: u64,
    /// Response body bytes.
    pub bytes_received: u64,
    /// Failed requests only: request headers, secrets redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<(String, String)>,
    /// Failed requests only: response headers, secrets redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// Failed requests only: the first [`BODY_EXCERPT`] bytes of the body, as UTF-8 (lossy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Cow<'a, str>>,
}

/// Milliseconds since the epoch of `t`, to the microsecond.
pub(crate) fn unix_ms(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).map_or(0.0, ms)
}

/// Milliseconds, to the microsecond: the clock's resolution that matters for a request, and a
/// short line (`4.204`, not `4.204465999999999`).
pub(crate) fn ms(d: Duration) -> f64 {
    d.as_micros() as f64 / 1e3
}
