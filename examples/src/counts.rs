//! What the demo server received: counted as it arrives, so tests can compare the load tool's
//! figures with the server's.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// A snapshot of the counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// HTTP requests received (WebSocket upgrades and `/_counts` excluded).
    pub requests: u64,
    /// HTTP requests by `METHOD /path`.
    pub by_route: BTreeMap<String, u64>,
    /// Of the requests, those that came over HTTP/2.
    #[serde(default)]
    pub http2_requests: u64,
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
    /// Requests that arrived in each whole second since the server started.
    #[serde(default)]
    pub arrivals_per_second: Vec<u64>,
    /// When the first and the last counted request arrived, in µs since the server started.
    #[serde(default)]
    pub first_arrival_us: Option<u64>,
    /// See `first_arrival_us`.
    #[serde(default)]
    pub last_arrival_us: Option<u64>,
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

impl Counts {
    /// Requests per second between the first and the last arrival: what a load generator's
    /// rate looked like from the server.
    pub fn arrival_rate(&self) -> Option<f64> {
        let (first, last) = (self.first_arrival_us?, self.last_arrival_us?);
        (last > first).then(|| (self.requests - 1) as f64 / ((last - first) as f64 / 1e6))
    }
}

pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub by_route: Mutex<BTreeMap<String, u64>>,
    pub http2_requests: AtomicU64,
    pub ws_opened: AtomicU64,
    pub ws_messages_received: AtomicU64,
    pub ws_bytes_received: AtomicU64,
    pub ws_messages_sent: AtomicU64,
    pub ws_bytes_sent: AtomicU64,
    pub logins: AtomicU64,
    pub started: Instant,
    /// Per second since `started`, and the first and last arrival in µs.
    pub arrivals: Mutex<Arrivals>,
    /// Requests wait until then before they are answered (`DemoServer::stall`).
    pub stall_until: Mutex<Option<Instant>>,
    pub echo: Mutex<Echoed>,
}

#[derive(Default)]
pub(crate) struct Arrivals {
    per_second: Vec<u64>,
    first_us: Option<u64>,
    last_us: Option<u64>,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            requests: AtomicU64::default(),
            by_route: Mutex::default(),
            http2_requests: AtomicU64::default(),
            ws_opened: AtomicU64::default(),
            ws_messages_received: AtomicU64::default(),
            ws_bytes_received: AtomicU64::default(),
            ws_messages_sent: AtomicU64::default(),
            ws_bytes_sent: AtomicU64::default(),
            logins: AtomicU64::default(),
            started: Instant::now(),
            arrivals: Mutex::default(),
            stall_until: Mutex::default(),
            echo: Mutex::default(),
        }
    }
}

impl Counters {
    pub(crate) fn request(&self, route: String) {
        let us = self.started.elapsed().as_micros() as u64;
        {
            let mut arrivals = self.arrivals.lock().unwrap_or_else(|e| e.into_inner());
            let second = (us / 1_000_000) as usize;
            if arrivals.per_second.len() <= second {
                arrivals.per_second.resize(second + 1, 0);
            }
            arrivals.per_second[second] += 1;
            arrivals.first_us.get_or_insert(us);
            arrivals.last_us = Some(us);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        *self
            .by_route
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(route)
            .or_default() += 1;
    }

    pub(crate) fn snapshot(&self) -> Counts {
        let arrivals = self.arrivals.lock().unwrap_or_else(|e| e.into_inner());
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Counts {
            requests: get(&self.requests),
            by_route: self
                .by_route
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            http2_requests: get(&self.http2_requests),
            ws_opened: get(&self.ws_opened),
            ws_messages_received: get(&self.ws_messages_received),
            ws_bytes_received: get(&self.ws_bytes_received),
            ws_messages_sent: get(&self.ws_messages_sent),
            ws_bytes_sent: get(&self.ws_bytes_sent),
            logins: get(&self.logins),
            arrivals_per_second: arrivals.per_second.clone(),
            first_arrival_us: arrivals.first_us,
            last_arrival_us: arrivals.last_us,
            echo: self.echo.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }
}
