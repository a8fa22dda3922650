//! `cx.session`: a virtual user's HTTP client with reqwest's request-builder API, recording every
//! request (name, status, time to first byte, time to last byte, bytes) on its way.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{IntoUrl, Method, Url};
use serde::Serialize;

pub use crate::http::error::SendError;
use crate::http::response::Response;
use crate::http::transport::{Exchange, Failed, Transport};
use crate::record::log::{self, BODY_EXCERPT, LogEntry};
use crate::record::recorder::{Recorder, RequestRecord};

/// A virtual user's HTTP session: one connection pool and one cookie jar per user, kept across
/// that user's hits and never shared with other users.
#[derive(Clone)]
pub struct Session {
    transport: Arc<Transport>,
    rec: Recorder,
    user: u64,
}

macro_rules! methods {
    ($($(#[$doc:meta])* $name:ident => $method:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, url: impl IntoUrl) -> RequestBuilder<'_> {
            self.request(Method::$method, url)
        }
    )*};
}

impl Session {
    pub(crate) fn new(transport: Transport, rec: Recorder, user: u64) -> Self {
        Session {
            transport: Arc::new(transport),
            rec,
            user,
        }
    }

    methods! {
        /// Starts a `GET`.
        get => GET;
        /// Starts a `POST`.
        post => POST;
        /// Starts a `PUT`.
        put => PUT;
        /// Starts a `PATCH`.
        patch => PATCH;
        /// Starts a `DELETE`.
        delete => DELETE;
        /// Starts a `HEAD`.
        head => HEAD;
    }

    /// Starts a request with any method.
    pub fn request(&self, method: Method, url: impl IntoUrl) -> RequestBuilder<'_> {
        RequestBuilder {
            inner: self.transport.reqwest().request(method, url),
            transport: &self.transport,
            name: None,
            expected: Vec::new(),
            rec: &self.rec,
            user: self.user,
        }
    }

    /// The underlying reqwest client (sharing this session's cookies). Requests sent through
    /// it directly are **not** recorded.
    pub fn client(&self) -> &reqwest::Client {
        self.transport.reqwest()
    }
}

/// A request being built; `send().await` sends it, reads the body and records it.
#[must_use = "a request does nothing until you `.send().await` it"]
pub struct RequestBuilder<'s> {
    inner: reqwest::RequestBuilder,
    transport: &'s Transport,
    name: Option<String>,
    expected: Vec<u16>,
    rec: &'s Recorder,
    user: u64,
}

macro_rules! delegate {
    ($($(#[$doc:meta])* fn $name:ident$(<$($g:ident: $b:path),*>)?($($arg:ident: $ty:ty),*);)*) => {$(
        $(#[$doc])*
        pub fn $name$(<$($g: $b),*>)?(mut self, $($arg: $ty),*) -> Self {
            self.inner = self.inner.$name($($arg),*);
            self
        }
    )*};
}

impl<'s> RequestBuilder<'s> {
    /// Groups this request in the statistics under `name` instead of `METHOD /path`, e.g.
    /// `.name("GET /users/:id")` for URLs that differ only by an id.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a header.
    pub fn header<K, V>(mut self, key: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.inner = self.inner.header(key, value);
        self
    }

    delegate! {
        /// Adds several headers.
        fn headers(headers: HeaderMap);
        /// Appends query parameters (anything serde can serialize as a query string).
        fn query<T: Serialize>(query: &T);
        /// Sends a JSON body and sets `Content-Type: application/json`.
        fn json<T: Serialize>(json: &T);
        /// Sends a form body and sets `Content-Type: application/x-www-form-urlencoded`.
        fn form<T: Serialize>(form: &T);
        /// Sets the body.
        fn body<B: Into<reqwest::Body>>(body: B);
        /// Overrides the session's request timeout (60 s by default) for this request.
        fn timeout(timeout: Duration);
        /// HTTP basic authentication.
        fn basic_auth<U: std::fmt::Display, P: std::fmt::Display>(username: U, password: Option<P>);
        /// Bearer token authentication.
        fn bearer_auth<T: std::fmt::Display>(token: T);
        /// Forces an HTTP version.
        fn version(version: reqwest::Version);
    }

    /// Sends the request, reads the whole body, records it, and returns the response. HTTP error
    /// statuses are responses, not errors (as in reqwest); use [`cx.app`](crate::App) to make them
    /// failures.
    pub async fn send(self) -> Result<Response, SendError> {
        let start = Instant::now();
        let request = self.inner.build()?;
        let name = match self.name {
            Some(name) => name,
            None => default_name(request.method(), request.url()),
        };
        let bytes_sent = request
            .body()
            .and_then(|b| b.as_bytes())
            .map_or(0, |b| b.len() as u64);
        // Only a logged run pays for what the log needs.
        let logged = self.rec.log().map(|_| Logged {
            sent_at: SystemTime::now(),
            method: request.method().to_string(),
            url: crate::record::redact::url(request.url()),
            headers: request.headers().clone(),
        });
        let record = |status: Option<u16>,
                      ttfb: Option<Duration>,
                      ttlb: Option<Duration>,
                      bytes_received: u64,
                      failure: Failure<'_>| {
            let ok = ttlb.is_some() && status.is_some_and(|s| accepts(&self.expected, s));
            let total = start.elapsed();
            self.rec.request(&RequestRecord {
                name: &name,
                status,
                total,
                ttfb,
                ttlb,
                bytes_sent,
                bytes_received,
                ok,
            });
            if let (Some(logged), Some(redactor)) = (&logged, self.rec.log()) {
                let mut entry = LogEntry {
                    time_unix_ms: log::unix_ms(logged.sent_at),
                    user: self.user,
                    name: name.clone(),
                    method: logged.method.clone(),
                    url: logged.url.clone(),
                    status,
                    outcome: if ok { "ok" } else { "error" }.to_owned(),
                    error: failure.error.map(|e| {
                        crate::record::redact::passwords_in(&crate::outcome::error::chain(e))
                            .into_owned()
                    }),
                    time_ms: log::ms(total),
                    ttfb_ms: ttfb.map(log::ms),
                    ttlb_ms: ttlb.map(log::ms),
                    bytes_sent,
                    bytes_received,
                    request_headers: Vec::new(),
                    response_headers: Vec::new(),
                    body: None,
                };
                if !ok {
                    entry.request_headers = redactor.headers(&logged.headers);
                    if let Some(headers) = failure.headers {
                        entry.response_headers = redactor.headers(headers);
                    }
                    entry.body = failure.body.map(|b| {
                        String::from_utf8_lossy(&b[..b.len().min(BODY_EXCERPT)]).into_owned()
                    });
                }
                self.rec.log_entry(entry);
            }
        };
        match self.transport.exchange(request, start).await {
            Ok(Exchange {
                status,
                version,
                headers,
                url,
                body,
                ttfb,
            }) => {
                let failure = Failure {
                    error: None,
                    headers: Some(&headers),
                    body: Some(&body),
                };
                record(
                    Some(status.as_u16()),
                    Some(ttfb),
                    Some(start.elapsed()),
                    body.len() as u64,
                    failure,
                );
                Ok(Response {
                    status,
                    version,
                    headers,
                    url,
                    body,
                })
            }
            Err(Failed {
                error,
                status,
                headers,
                ttfb,
            }) => {
                let failure = Failure {
                    error: Some(&error),
                    headers: headers.as_ref(),
                    body: None,
                };
                record(status.map(|s| s.as_u16()), ttfb, None, 0, failure);
                Err(error)
            }
        }
    }

    /// Statuses the caller accepts, for the request table's error column (the app's
    /// `expect_status`); by default anything below 400.
    pub(crate) fn expect(mut self, statuses: Vec<u16>) -> Self {
        self.expected = statuses;
        self
    }
}

/// What the log keeps of a request, taken before reqwest consumes it.
struct Logged {
    sent_at: SystemTime,
    method: String,
    url: String,
    headers: HeaderMap,
}

/// What a failed request's log entry shows, when the request is logged.
#[derive(Default)]
struct Failure<'a> {
    error: Option<&'a SendError>,
    headers: Option<&'a HeaderMap>,
    body: Option<&'a [u8]>,
}

fn accepts(expected: &[u16], status: u16) -> bool {
    if expected.is_empty() {
        status < 400
    } else {
        expected.contains(&status)
    }
}

/// `METHOD /path`: the query string is left out so that `?page=1` and `?page=2` group together.
fn default_name(method: &Method, url: &Url) -> String {
    let path = url.path();
    let mut name = String::with_capacity(method.as_str().len() + 1 + path.len());
    name.push_str(method.as_str());
    name.push(' ');
    name.push_str(path);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_drop_the_query() {
        let url = Url::parse("http://127.0.0.1:8080/search?q=x").unwrap();
        assert_eq!(default_name(&Method::GET, &url), "GET /search");
        let url = Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(default_name(&Method::POST, &url), "POST /");
    }
}
