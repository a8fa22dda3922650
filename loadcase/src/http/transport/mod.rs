//! How a virtual user's requests reach the server. `http://` and `https://` requests whose body
//! is in memory — nearly every load-test request — go through hyper directly, on connections
//! the user owns ([`conn`]): HTTP/1.1, or HTTP/2 where the server offers it by ALPN. reqwest's
//! layers above hyper (its connector service, cloned with its TLS setup on every request, its
//! redirect, cookie and timeout machinery) and hyper-util's pool below them cost more CPU per
//! request than the request itself (bench/README.md has the figures). Another HTTP version than
//! the default, streamed bodies and anything unusual go through reqwest. Both paths share the
//! user's cookie jar, send the same default headers, follow redirects by reqwest's rules, and
//! time out alike, so a test cannot tell which one carried a request.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::dns::GaiResolver;
use hyper_util::client::legacy::connect::{HttpConnector, HttpInfo};
use reqwest::cookie::CookieStore;
use reqwest::header::{self, HeaderValue};
use reqwest::{Method, Url, Version};

use crate::http::client::{CONNECT_TIMEOUT, USER_AGENT};
use crate::http::cookies::Cookies;
use crate::http::error::{ClientError, SendError};
use crate::http::response::Head;
use crate::tls::config::Tls;

pub(crate) mod body;
mod conn;
mod redirect;
mod timer;

use body::{Collect, Read};
use conn::{Conn, Connections, Resolver, Unsent};

/// A user's two ways to the server, and what they share.
pub(crate) struct Transport {
    reqwest: reqwest::Client,
    jar: Arc<Cookies>,
    /// Made on the first lean request: idle users stay small.
    lean: OnceLock<Connections>,
    timeout: Duration,
    body_limit: u64,
    /// The run's TLS configuration, for its WebSockets too.
    tls: Option<Tls>,
    /// The last URL requested on the lean path, parsed as hyper takes it: a user requests the
    /// same URL again and again, and a parse is an allocation and a walk of the text.
    last_uri: Mutex<Option<(Url, http::Uri)>>,
    /// The user's request timer.
    timers: timer::Timers,
}

/// A request as a session hands it over.
pub(crate) enum Outgoing {
    /// A method and a URL, nothing else: `cx.app`'s usual request, which needs nothing of
    /// reqwest's `Request` (made, moved through every layer and dropped, it costs a measurable
    /// share of a request).
    Plain(Method, Url),
    Reqwest(reqwest::Request),
}

impl Outgoing {
    pub(crate) fn method(&self) -> &Method {
        match self {
            Outgoing::Plain(method, _) => method,
            Outgoing::Reqwest(request) => request.method(),
        }
    }

    pub(crate) fn url(&self) -> &Url {
        match self {
            Outgoing::Plain(_, url) => url,
            Outgoing::Reqwest(request) => request.url(),
        }
    }

    /// The headers set on the request (not those every request gets on its way).
    pub(crate) fn headers(&self) -> header::HeaderMap {
        match self {
            Outgoing::Plain(..) => header::HeaderMap::new(),
            Outgoing::Reqwest(request) => request.headers().clone(),
        }
    }

    /// The length of its body, when the body is in memory.
    pub(crate) fn body_len(&self) -> u64 {
        match self {
            Outgoing::Plain(..) => 0,
            Outgoing::Reqwest(request) => request
                .body()
                .and_then(|b| b.as_bytes())
                .map_or(0, |b| b.len() as u64),
        }
    }
}

/// A response with its body read, or the error that reading it ended with.
pub(crate) struct Exchange {
    pub head: Head,
    /// The body; past the body limit, the error that says so (it was read all the same).
    pub body: Result<Bytes, SendError>,
    pub ttfb: Duration,
    /// When the body was read to its end, or given up on.
    pub ended: Instant,
    /// Bytes of body received, kept or not.
    pub received: u64,
    /// Whether the body was read to its end (a body past the limit included).
    pub complete: bool,
}

impl Transport {
    pub(crate) fn new(timeout: Duration, body_limit: u64, tls: Option<Tls>) -> Transport {
        let jar = Arc::new(Cookies::default());
        Transport {
            reqwest: crate::http::client::user_client(timeout, jar.clone(), tls.as_ref()),
            jar,
            lean: OnceLock::new(),
            timeout,
            body_limit,
            tls,
            last_uri: Mutex::new(None),
            timers: timer::Timers::default(),
        }
    }

    /// The run's TLS configuration.
    pub(crate) fn tls(&self) -> Option<&Tls> {
        self.tls.as_ref()
    }

    /// The most of a body a response keeps unless its request says otherwise.
    pub(crate) fn body_limit(&self) -> u64 {
        self.body_limit
    }

    pub(crate) fn reqwest(&self) -> &reqwest::Client {
        &self.reqwest
    }

    /// Sends `request`, reads the response's body, and says when its headers came. An error is
    /// a request that got no response.
    pub(crate) async fn exchange(
        &self,
        request: Outgoing,
        start: Instant,
        limit: u64,
    ) -> Result<Exchange, SendError> {
        let request = match request {
            Outgoing::Plain(method, url) if self.is_lean(url.scheme()) => {
                let hop = redirect::Hop {
                    method,
                    headers: header::HeaderMap::new(),
                    body: None,
                    url,
                };
                return self.lean(hop, None, start, limit).await;
            }
            Outgoing::Plain(method, url) => reqwest::Request::new(method, url),
            Outgoing::Reqwest(request) => request,
        };
        let lean = self.is_lean(request.url().scheme())
            && request.version() == Version::HTTP_11
            && request.body().is_none_or(|body| body.as_bytes().is_some());
        if lean {
            let timeout = request.timeout().copied();
            self.lean(redirect::Hop::from_request(request), timeout, start, limit)
                .await
        } else {
            // Boxed, as the rare path: reqwest's future is large (see `Connections::get`).
            Box::pin(via_reqwest(&self.reqwest, request, start, limit)).await
        }
    }

    /// Whether a request with this URL scheme can go on the lean path.
    fn is_lean(&self, scheme: &str) -> bool {
        scheme == "http" || (scheme == "https" && self.connections().has_tls())
    }

    fn connections(&self) -> &Connections {
        self.lean.get_or_init(|| {
            let mut connector = HttpConnector::new_with_resolver(Resolver(GaiResolver::new()));
            // As reqwest sets them: small requests go out at once; https is connected here too.
            connector.set_nodelay(true);
            connector.enforce_http(false);
            let connect_timeout = CONNECT_TIMEOUT.min(self.timeout);
            connector.set_connect_timeout(Some(connect_timeout));
            let tls = self.tls.as_ref().map(|tls| tls.http.clone());
            Connections::new(connector, tls, connect_timeout)
        })
    }

    /// `hop` and the redirects it leads to, within `timeout` (the request's own, else the
    /// session's).
    async fn lean(
        &self,
        mut hop: redirect::Hop,
        timeout: Option<Duration>,
        start: Instant,
        limit: u64,
    ) -> Result<Exchange, SendError> {
        let deadline = start + timeout.unwrap_or(self.timeout);
        // One timer for every step of the request (each hop's head, then the body), the user's
        // own, reset (see `timer`).
        let mut timer = self.timers.lease(deadline);
        let mut redirects = 0;
        loop {
            let kept = hop.keep_for_redirect();
            let (request, url) = self.http_request(hop)?;
            let sent = {
                // Pinned where it is made: moved into `within`, it would be copied whole.
                let send = pin!(self.send(request, &url, start));
                within(timer.as_mut(), send).await
            };
            let (response, conn) = match sent {
                None => return Err(SendError::timeout(&url)),
                Some(Err(error)) => return Err(SendError::request(&url, error)),
                Some(Ok(sent)) => sent,
            };
            let mut cookies = response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .peekable();
            if cookies.peek().is_some() {
                self.jar.set_cookies(&mut cookies, &url);
            }
            let Some(next) = kept.follow(&response, &url, self.connections().has_tls()) else {
                let remote_addr = conn.info().map(HttpInfo::remote_addr);
                let exchange = pin!(read(
                    response,
                    url,
                    remote_addr,
                    timer.as_mut(),
                    start,
                    limit
                ))
                .await;
                if exchange.complete {
                    self.connections().put(conn, exchange.ended);
                }
                return Ok(exchange);
            };
            if redirects == redirect::MAX_REDIRECTS {
                return Err(SendError::redirects(&url));
            }
            redirects += 1;
            // Read to the end (nothing of it kept), so that the connection can be used again.
            let mut drained = Collect::new(0);
            let drain = frames(response.into_body(), &mut drained);
            if let Some(Ok(())) = within(timer.as_mut(), drain).await {
                self.connections().put(conn, Instant::now());
            }
            match next {
                redirect::Next::Lean(next) => hop = next,
                // To https without TLS of the run's own: reqwest takes over, redirects and all.
                redirect::Next::Reqwest(request) => {
                    return Box::pin(via_reqwest(&self.reqwest, request, start, limit)).await;
                }
            }
        }
    }

    /// Sends `request` on a connection to `url`'s server, once more on a new connection when
    /// a reused one closed before it could go out; returns the response's head and the
    /// connection it came on. `now` is about now (the request's start), for the idle
    /// connections' age.
    async fn send(
        &self,
        mut request: http::Request<conn::Body>,
        url: &Url,
        now: Instant,
    ) -> Result<(http::Response<hyper::body::Incoming>, Conn), ClientError> {
        loop {
            let mut conn = self.connections().get(url, now).await?;
            if !conn.is_h2() {
                origin_form(&mut request, conn.host_header());
            }
            match conn.send(request).await {
                Ok(response) => return Ok((response, conn)),
                Err(Unsent {
                    retry: Some(unsent),
                    ..
                }) => request = unsent,
                Err(Unsent { error, .. }) => return Err(error),
            }
        }
    }

    /// The request as hyper takes it, with what reqwest adds to every request: its user agent,
    /// `Accept: */*`, and the jar's cookies for the URL.
    fn http_request(
        &self,
        hop: redirect::Hop,
    ) -> Result<(http::Request<conn::Body>, Url), SendError> {
        let uri = self.uri(&hop.url)?;
        let mut request = http::Request::new(Full::new(hop.body.unwrap_or_default()));
        *request.method_mut() = hop.method;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        *headers = hop.headers;
        // Room for what follows (user agent, `Accept`, `Cookie`, then `Host`), so that adding
        // them does not grow the map.
        headers.reserve(4);
        if !headers.contains_key(header::USER_AGENT) {
            headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        }
        if !headers.contains_key(header::ACCEPT) {
            headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        }
        if let Some(cookies) = self.jar.cookies(&hop.url) {
            headers.insert(header::COOKIE, cookies);
        }
        Ok((request, hop.url))
    }

    /// `url` as hyper takes it.
    fn uri(&self, url: &Url) -> Result<http::Uri, SendError> {
        let mut last = self.last_uri.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((same, uri)) = &*last
            && same == url
        {
            return Ok(uri.clone());
        }
        let uri: http::Uri = url
            .as_str()
            .parse()
            .map_err(|_| SendError::invalid_uri(url))?;
        *last = Some((url.clone(), uri.clone()));
        Ok(uri)
    }
}

/// An HTTP/1.1 request as it goes out, as hyper-util's client sends it: the path and query
/// alone as its target, and the connection's `Host` header unless the request has its own.
fn origin_form(request: &mut http::Request<conn::Body>, host: Option<&HeaderValue>) {
    if let Some(host) = host {
        request
            .headers_mut()
            .entry(header::HOST)
            .or_insert_with(|| host.clone());
    }
    let path = request
        .uri()
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| http::uri::PathAndQuery::from_static("/"));
    *request.uri_mut() = http::Uri::from(path);
}

/// `work`, or `None` if the request's deadline (`timer`) comes first. As tokio's `timeout`, the
/// work is polled first, and the timer even when the task's budget is spent.
async fn within<F: Future>(mut timer: Pin<&mut tokio::time::Sleep>, work: F) -> Option<F::Output> {
    let mut work = pin!(work);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        match Pin::new(&mut tokio::task::unconstrained(timer.as_mut())).poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Reads the body of the final response, within the request's deadline (`timer`). A body that
/// fails is the response's to report (as reqwest's `bytes()` reports it), not the request's.
async fn read(
    response: http::Response<hyper::body::Incoming>,
    url: Url,
    remote_addr: Option<std::net::SocketAddr>,
    timer: Pin<&mut tokio::time::Sleep>,
    start: Instant,
    limit: u64,
) -> Exchange {
    let ttfb = start.elapsed();
    let (parts, body) = response.into_parts();
    let content_length = hyper::body::Body::size_hint(&body).exact();
    let mut collect = Collect::new(limit);
    let read = within(timer, pin!(frames(body, &mut collect))).await;
    let ended = Instant::now();
    let received = collect.received();
    let (body, complete) = match read {
        Some(Ok(())) => kept(collect.finish(), &url, limit),
        Some(Err(error)) => (Err(SendError::body_read(&url, error)), false),
        None => (Err(SendError::body_timeout(&url)), false),
    };
    let head = Head {
        status: parts.status,
        version: parts.version,
        headers: parts.headers,
        extensions: parts.extensions,
        remote_addr,
        url,
        content_length,
    };
    Exchange {
        head,
        body,
        ttfb,
        ended,
        received,
        complete,
    }
}

/// Every data frame of `body` into `collect`.
async fn frames(
    mut body: hyper::body::Incoming,
    collect: &mut Collect,
) -> Result<(), hyper::Error> {
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            collect.push(data);
        }
    }
    Ok(())
}

/// A body read to its end: kept, or past the limit.
fn kept(read: Read, url: &Url, limit: u64) -> (Result<Bytes, SendError>, bool) {
    match read.kept {
        Some(bytes) => (Ok(bytes), true),
        None => (Err(SendError::too_large(url, read.received, limit)), true),
    }
}

async fn via_reqwest(
    client: &reqwest::Client,
    request: reqwest::Request,
    start: Instant,
    limit: u64,
) -> Result<Exchange, SendError> {
    let mut response = client.execute(request).await?;
    let ttfb = start.elapsed();
    // Read before the extensions it is read from are taken below.
    let remote_addr = response.remote_addr();
    let head = Head {
        status: response.status(),
        version: response.version(),
        headers: std::mem::take(response.headers_mut()),
        extensions: std::mem::take(response.extensions_mut()),
        remote_addr,
        url: response.url().clone(),
        content_length: response.content_length(),
    };
    let mut collect = Collect::new(limit);
    let read = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => collect.push(chunk),
            Ok(None) => break Ok(()),
            // As reqwest's `bytes()` says it: with the URL, which `chunk()` leaves out.
            Err(error) => {
                let error = SendError::from(error);
                break Err(match error.url() {
                    Some(_) => error,
                    None => error.with_url(head.url.clone()),
                });
            }
        }
    };
    let ended = Instant::now();
    let received = collect.received();
    let (body, complete) = match read {
        Ok(()) => kept(collect.finish(), &head.url, limit),
        Err(error) => (Err(error), false),
    };
    Ok(Exchange {
        head,
        body,
        ttfb,
        ended,
        received,
        complete,
    })
}

impl redirect::Hop {
    fn from_request(mut request: reqwest::Request) -> redirect::Hop {
        redirect::Hop {
            method: std::mem::replace(request.method_mut(), Method::GET),
            headers: std::mem::take(request.headers_mut()),
            // A copy: reqwest's body cannot be cloned, and a 307 or 308 sends it again.
            body: request
                .body()
                .and_then(reqwest::Body::as_bytes)
                .map(Bytes::copy_from_slice),
            url: request.url().clone(),
        }
    }
}
