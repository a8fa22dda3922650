//! What the demo server received: counted as it arrives, so tests can compare the load tool's
//! figures with the server's.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// A snapshot of the counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// HTTP requests received (WebSocket upgrades and `/_counts` excluded).
    pub requests: u64,
    /// HTTP requests by `METHOD /path`.
    pub by_route: BTreeMap<String, u64>,
    /// WebSocket connections accepted.
    pub ws_opened: u64,
    /// WebSocket data messages received.
    pub ws_messages_received: u64,
    /// WebSocket payload bytes received.
    pub ws_bytes_received: u64,
    /// WebSocket data messages sent.
    pub ws_messages_sent: u64,
    /// WebSocket payload bytes sent.
    pub ws_bytes_sent: u64,
    /// Sessions created by `POST /login`.
    pub logins: u64,
    /// What `POST /echo` received.
    #[serde(default)]
    pub echo: Echoed,
}

/// What `POST /echo` received: how many requests and body bytes in all, and the last request's
/// body and headers (a test sending one request, or the same one many times, sees all of it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Echoed {
    /// Requests.
    pub requests: u64,
    /// Body bytes of all of them.
    pub body_bytes: u64,
    /// The last body, as text (invalid UTF-8 replaced).
    pub last_body: String,
    /// The last request's headers, names in lower case; a repeated header's values joined
    /// with `, `.
    pub last_headers: BTreeMap<String, String>,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub by_route: Mutex<BTreeMap<String, u64>>,
    pub ws_opened: AtomicU64,
    pub ws_messages_received: AtomicU64,
    pub ws_bytes_received: AtomicU64,
    pub ws_messages_sent: AtomicU64,
    pub ws_bytes_sent: AtomicU64,
    pub logins: AtomicU64,
    pub echo: Mutex<Echoed>,
}

impl Counters {
    pub(crate) fn request(&self, route: String) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        *self
            .by_route
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(route)
            .or_default() += 1;
    }

    pub(crate) fn snapshot(&self) -> Counts {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Counts {
            requests: get(&self.requests),
            by_route: self
                .by_route
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            ws_opened: get(&self.ws_opened),
            ws_messages_received: get(&self.ws_messages_received),
            ws_bytes_received: get(&self.ws_bytes_received),
            ws_messages_sent: get(&self.ws_messages_sent),
            ws_bytes_sent: get(&self.ws_bytes_sent),
            logins: get(&self.logins),
            echo: self.echo.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }
}
