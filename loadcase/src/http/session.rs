//! `cx.session`: a virtual user's HTTP client with reqwest's API, recording every request
//! (name, status, time to first byte, time to last byte, bytes) on its way.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{IntoUrl, Method, Url};

use crate::http::error::SendError;
use crate::http::methods::{reqwest_builder, verbs};
use crate::http::response::Response;
use crate::http::transport::{Exchange, Outgoing, Transport};
use crate::record::log::{self, BODY_EXCERPT, LogEntry};
use crate::record::recorder::{Recorder, RequestRecord};

/// A virtual user's HTTP session, `cx.session`: `reqwest::Client`'s methods, with one
/// connection pool and one cookie jar per user, kept across that user's hits and never shared
/// with other users. Every request is recorded.
///
/// A reqwest test ports by renaming its client; the types it names (`Method`, `StatusCode`,
/// `header::HeaderMap`, `Url`, `Version`, `Body`) are [`loadcase::reqwest`](crate::reqwest)'s,
/// so it needs no reqwest dependency of its own.
///
/// ```no_run
/// # use loadcase::prelude::*;
/// use std::collections::HashMap;
///
/// # async fn hit(cx: &mut Context) -> TestResult {
/// let mut map = HashMap::new();
/// map.insert("lang", "rust");
/// let res = cx
///     .session
///     .post("http://127.0.0.1:8080/users")
///     .json(&map)
///     .send()
///     .await?;
/// assert_eq!(res.status(), 201);
/// let body = cx.session.get("http://127.0.0.1:8080/users/1").send().await?.text().await?;
/// assert!(body.contains("rust"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Session {
    transport: Arc<Transport>,
    rec: Recorder,
    user: u64,
}

impl Session {
    pub(crate) fn new(transport: Transport, rec: Recorder, user: u64) -> Self {
        Session {
            transport: Arc::new(transport),
            rec,
            user,
        }
    }

    verbs!(fn<U: IntoUrl>(url: U) -> RequestBuilder<'_>);

    /// Starts a request with any method. A URL that does not parse is a builder error when
    /// the request is sent, as in reqwest.
    pub fn request<U: IntoUrl>(&self, method: Method, url: U) -> RequestBuilder<'_> {
        self.builder(Building::Reqwest(
            self.transport.reqwest().request(method, url),
        ))
    }

    /// Starts a request to a URL already parsed (`cx.app`'s). Until a builder method is called
    /// it is only that: reqwest's builder, made for every request otherwise, costs a measurable
    /// share of a request that needs nothing of it.
    pub(crate) fn request_to(&self, method: Method, url: Url) -> RequestBuilder<'_> {
        // reqwest's builder takes a URL's credentials for basic auth: such a URL goes to it.
        if url.username().is_empty() && url.password().is_none() {
            self.builder(Building::Plain(method, url))
        } else {
            self.request(method, url)
        }
    }

    fn builder(&self, inner: Building) -> RequestBuilder<'_> {
        RequestBuilder {
            inner,
            session: self,
            name: None,
            expected: Vec::new(),
            body_limit: None,
        }
    }

    /// Sends a request built elsewhere ([`RequestBuilder::build`], or
    /// `loadcase::reqwest::Request::new`), recorded as `METHOD /path`, as `send` would.
    pub async fn execute(&self, request: reqwest::Request) -> Result<Response, SendError> {
        self.send(
            Ok(Outgoing::Reqwest(request)),
            None,
            Vec::new(),
            None,
            |sent| sent,
        )
        .await
    }

    /// How this session reaches servers: its clients, limits and TLS configuration.
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The underlying reqwest client (sharing this session's cookies). Requests sent through
    /// it directly are **not** recorded.
    pub fn client(&self) -> &reqwest::Client {
        self.transport.reqwest()
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// A request being built: reqwest's `RequestBuilder` methods, and [`name`](Self::name) for
/// the statistics. `send().await` sends it, reads its body, records it, and returns the
/// [`Response`].
#[must_use = "a request does nothing until you `.send().await` it"]
pub struct RequestBuilder<'s> {
    inner: Building,
    session: &'s Session,
    name: Option<String>,
    expected: Vec<u16>,
    body_limit: Option<u64>,
}

/// A request as far as it is built.
enum Building {
    /// A method and a URL, nothing else yet.
    Plain(Method, Url),
    Reqwest(reqwest::RequestBuilder),
}

impl Building {
    fn into_reqwest(self, session: &Session) -> reqwest::RequestBuilder {
        match self {
            Building::Plain(method, url) => session.transport.reqwest().request(method, url),
            Building::Reqwest(builder) => builder,
        }
    }

    fn build(self) -> Result<Outgoing, SendError> {
        match self {
            Building::Plain(method, url) => Ok(Outgoing::Plain(method, url)),
            Building::Reqwest(builder) => Ok(Outgoing::Reqwest(builder.build()?)),
        }
    }
}

impl<'s> RequestBuilder<'s> {
    /// Keeps at most `bytes` of this response's body in memory (the plan's `--body-limit`, by
    /// default [`DEFAULT_BODY_LIMIT`](crate::DEFAULT_BODY_LIMIT), otherwise). A larger body is
    /// still read to its end, counted and timed, but not kept: the body readers then return an
    /// error that says so.
    pub fn body_limit(mut self, bytes: u64) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Groups this request in the statistics under `name` instead of `METHOD /path`, e.g.
    /// `.name("GET /users/:id")` for URLs that differ only by an id.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    reqwest_builder!();

    pub(crate) fn reqwest(
        self,
        f: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Self {
        let RequestBuilder {
            inner,
            session,
            name,
            expected,
            body_limit,
        } = self;
        RequestBuilder {
            inner: Building::Reqwest(f(inner.into_reqwest(session))),
            session,
            name,
            expected,
            body_limit,
        }
    }

    /// A copy of this builder, `None` when its body is streamed (and so cannot be sent twice).
    pub fn try_clone(&self) -> Option<Self> {
        let inner = match &self.inner {
            Building::Plain(method, url) => Building::Plain(method.clone(), url.clone()),
            Building::Reqwest(builder) => Building::Reqwest(builder.try_clone()?),
        };
        Some(RequestBuilder {
            inner,
            session: self.session,
            name: self.name.clone(),
            expected: self.expected.clone(),
            body_limit: self.body_limit,
        })
    }

    /// The request, to look at or change before [`Session::execute`] sends it (which records
    /// it as `METHOD /path`: a [`name`](Self::name) given here stays behind).
    pub fn build(self) -> Result<reqwest::Request, SendError> {
        match self.inner {
            Building::Plain(method, url) => Ok(reqwest::Request::new(method, url)),
            Building::Reqwest(builder) => Ok(builder.build()?),
        }
    }

    /// Sends the request, reads the whole body, records it, and returns the response. HTTP error
    /// statuses are responses, not errors (as in reqwest: see
    /// [`Response::error_for_status`]); use [`cx.app`](crate::App) to make them failures. A
    /// body that could not be read in full is the response's error to give
    /// ([`Response::text`] and the other readers), as in reqwest.
    // Not an `async fn`: the session's future, several KiB, would be made and then copied into
    // its own.
    pub fn send(self) -> impl Future<Output = Result<Response, SendError>> + Send + 's {
        self.send_then(|sent| sent)
    }

    /// Sends the request as [`send`](Self::send) does, and gives what `then` makes of the
    /// outcome: `cx.app`'s way, so that its judgment of the response is part of the session's
    /// future instead of a future of its own that would hold (and copy) the session's.
    pub(crate) fn send_then<T, F>(self, then: F) -> impl Future<Output = T> + Send + 's
    where
        F: FnOnce(Result<Response, SendError>) -> T + Send + 's,
        T: 's,
    {
        let RequestBuilder {
            inner,
            session,
            name,
            expected,
            body_limit,
        } = self;
        session.send(inner.build(), name, expected, body_limit, then)
    }

    /// Statuses the caller accepts, for the request table's error column (the app's
    /// `expect_status`); by default anything below 400.
    pub(crate) fn expect(mut self, statuses: Vec<u16>) -> Self {
        self.expected = statuses;
        self
    }
}

impl fmt::Debug for RequestBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("RequestBuilder");
        out.field("name", &self.name);
        match &self.inner {
            Building::Plain(method, url) => out
                .field("method", method)
                .field("url", &crate::record::redact::url(url)),
            Building::Reqwest(builder) => out.field("request", builder),
        };
        out.finish()
    }
}

impl Session {
    /// Sends `request`, reads its body, records it under `name` (or `METHOD /path`), counting
    /// it as an error unless its status is in `expected` (or below 400 when that is empty), and
    /// gives what `then` makes of the outcome.
    async fn send<T>(
        &self,
        request: Result<Outgoing, SendError>,
        name: Option<String>,
        expected: Vec<u16>,
        body_limit: Option<u64>,
        then: impl FnOnce(Result<Response, SendError>) -> T,
    ) -> T {
        let request = match request {
            Ok(request) => request,
            Err(error) => return then(Err(error)),
        };
        let start = Instant::now();
        let name = match name {
            Some(name) => name,
            None => default_name(request.method(), request.url()),
        };
        let bytes_sent = request.body_len();
        // Only a logged run pays for what the log needs.
        let logged = self.rec.log().map(|_| Logged {
            sent_at: SystemTime::now(),
            method: request.method().clone(),
            url: crate::record::redact::url(request.url()),
            headers: request.headers(),
        });
        // The error's words, only when the log will show them.
        let explain = |error: &SendError| {
            logged
                .is_some()
                .then(|| crate::outcome::error::chain(error))
        };
        let mut pending = Pending {
            session: self,
            name: &name,
            expected: &expected,
            start,
            bytes_sent,
            logged: logged.as_ref(),
            done: false,
        };
        let limit = body_limit.unwrap_or(self.transport.body_limit());
        let sent = match self.transport.exchange(request, start, limit).await {
            Ok(Exchange {
                head,
                body,
                ttfb,
                ended,
                received,
                complete,
            }) => {
                let (status, headers) = (head.status, &head.headers);
                // A body past the limit was read to its end: timed and counted, not kept.
                pending.record(
                    Some(status.as_u16()),
                    Some(ttfb),
                    complete.then(|| ended.saturating_duration_since(start)),
                    received,
                    Failure {
                        error: body.as_ref().err().filter(|_| !complete).and_then(explain),
                        headers: Some(headers),
                        body: body.as_deref().ok(),
                    },
                );
                Ok(Response::new(head, body))
            }
            Err(error) => {
                let failure = Failure {
                    error: explain(&error),
                    headers: None,
                    body: None,
                };
                pending.record(None, None, None, 0, failure);
                Err(error)
            }
        };
        then(sent)
    }
}

/// A request on its way. Recorded when it ends; dropped before that — its hit cancelled by
/// `--hit-timeout`, a stage's end or a stop — it is recorded as a cancelled error with the time
/// it had taken, so that the request table counts what the server may have received.
struct Pending<'a> {
    session: &'a Session,
    name: &'a str,
    expected: &'a [u16],
    start: Instant,
    bytes_sent: u64,
    logged: Option<&'a Logged>,
    done: bool,
}

/// How a request cancelled in flight reads in the request log.
const CANCELLED: &str =
    "cancelled in flight: its hit was cancelled (--hit-timeout, the end of a stage, or a stop)";

impl Pending<'_> {
    fn record(
        &mut self,
        status: Option<u16>,
        ttfb: Option<Duration>,
        ttlb: Option<Duration>,
        bytes_received: u64,
        failure: Failure<'_>,
    ) {
        self.done = true;
        let rec = &self.session.rec;
        let ok = ttlb.is_some() && status.is_some_and(|s| accepts(self.expected, s));
        // The body's end is the request's, when it came.
        let total = ttlb.unwrap_or_else(|| self.start.elapsed());
        rec.request(&RequestRecord {
            name: self.name,
            status,
            total,
            ttfb,
            ttlb,
            bytes_sent: self.bytes_sent,
            bytes_received,
            ok,
        });
        let (Some(logged), Some(redactor)) = (self.logged, rec.log()) else {
            return;
        };
        let mut entry = LogEntry {
            time_unix_ms: log::unix_ms(logged.sent_at),
            user: self.session.user,
            name: Cow::Borrowed(self.name),
            method: Cow::Borrowed(logged.method.as_str()),
            url: Cow::Borrowed(&logged.url),
            status,
            outcome: Cow::Borrowed(if ok { "ok" } else { "error" }),
            error: failure
                .error
                .map(|e| Cow::Owned(crate::record::redact::passwords_in(&e).into_owned())),
            time_ms: log::ms(total),
            ttfb_ms: ttfb.map(log::ms),
            ttlb_ms: ttlb.map(log::ms),
            bytes_sent: self.bytes_sent,
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
            entry.body = failure
                .body
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(BODY_EXCERPT)]));
        }
        rec.log_entry(&entry);
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if !self.done {
            let failure = Failure {
                error: Some(CANCELLED.to_owned()),
                ..Failure::default()
            };
            self.record(None, None, None, 0, failure);
        }
    }
}

/// What the log keeps of a request, taken before reqwest consumes it.
struct Logged {
    sent_at: SystemTime,
    method: Method,
    url: String,
    headers: HeaderMap,
}

/// What a failed request's log entry shows, when the request is logged.
#[derive(Default)]
struct Failure<'a> {
    /// The error and its causes, as the log shows them.
    error: Option<String>,
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
