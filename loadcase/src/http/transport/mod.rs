//! How a virtual user's requests reach the server. Plain `http://` requests of HTTP/1.1 whose body
//! is in memory — nearly every load-test request — go through hyper directly, with hyper-util's
//! pooled client per user: reqwest's layers above it (its connector service, cloned with its TLS
//! setup on every request, and its redirect, cookie and timeout machinery) cost about 45 % more
//! CPU per request on a loopback GET (17.3 µs against 9.7 µs, same loop, same machine). HTTPS,
//! HTTP/2, streamed bodies and anything unusual go through reqwest. Both paths share the user's
//! cookie jar, send the same default headers, follow redirects by reqwest's rules, and time out
//! alike, so a test cannot tell which one carried a request.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::{GaiAddrs, GaiResolver, Name};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{self, HeaderValue};
use reqwest::{Method, Url, Version};

use crate::http::client::{CONNECT_TIMEOUT, USER_AGENT};
use crate::http::error::{DnsError, SendError};
use crate::http::response::Head;

pub(crate) mod body;
mod redirect;

use body::{Collect, Read};

/// A user's two ways to the server, and what they share.
pub(crate) struct Transport {
    reqwest: reqwest::Client,
    jar: Arc<Jar>,
    /// Made on the first plain-HTTP request: idle users stay small.
    plain: OnceLock<PlainClient>,
    timeout: Duration,
    body_limit: u64,
    /// The run's TLS configuration, for its WebSockets too.
    tls: Option<Arc<rustls::ClientConfig>>,
}

/// hyper-util's pooled client with its HTTP connector, resolving as reqwest resolves.
type PlainClient = Client<HttpConnector<Resolver>, Full<Bytes>>;

/// hyper-util's resolver (the one reqwest uses by default), its errors wrapped as reqwest's
/// resolver wraps them, so that a name that does not resolve reads and answers `is_dns()` alike
/// on both paths.
#[derive(Clone)]
struct Resolver(GaiResolver);

impl tower_service::Service<Name> for Resolver {
    type Response = GaiAddrs;
    type Error = DnsError;
    type Future = Pin<Box<dyn Future<Output = Result<GaiAddrs, DnsError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), DnsError>> {
        self.0.poll_ready(cx).map_err(|e| DnsError(e.into()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let resolving = self.0.call(name);
        Box::pin(async move { resolving.await.map_err(|e| DnsError(e.into())) })
    }
}

/// A response with its body read, or the error that reading it ended with.
pub(crate) struct Exchange {
    pub head: Head,
    /// The body; past the body limit, the error that says so (it was read all the same).
    pub body: Result<Bytes, SendError>,
    pub ttfb: Duration,
    /// Bytes of body received, kept or not.
    pub received: u64,
    /// Whether the body was read to its end (a body past the limit included).
    pub complete: bool,
}

impl Transport {
    pub(crate) fn new(
        timeout: Duration,
        body_limit: u64,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Transport {
        let jar = Arc::new(Jar::default());
        Transport {
            reqwest: crate::http::client::user_client(timeout, jar.clone(), tls.as_ref()),
            jar,
            plain: OnceLock::new(),
            timeout,
            body_limit,
            tls,
        }
    }

    /// The run's TLS configuration.
    pub(crate) fn tls(&self) -> Option<&Arc<rustls::ClientConfig>> {
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
        request: reqwest::Request,
        start: Instant,
        limit: u64,
    ) -> Result<Exchange, SendError> {
        let lean = request.url().scheme() == "http"
            && request.version() == Version::HTTP_11
            && request.body().is_none_or(|body| body.as_bytes().is_some());
        if lean {
            self.plain(request, start, limit).await
        } else {
            via_reqwest(&self.reqwest, request, start, limit).await
        }
    }

    fn plain_client(&self) -> &PlainClient {
        self.plain.get_or_init(|| {
            let mut connector = HttpConnector::new_with_resolver(Resolver(GaiResolver::new()));
            // As reqwest sets them: small requests go out at once.
            connector.set_nodelay(true);
            connector.set_connect_timeout(Some(CONNECT_TIMEOUT.min(self.timeout)));
            Client::builder(TokioExecutor::new())
                .pool_timer(TokioTimer::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .build(connector)
        })
    }

    async fn plain(
        &self,
        request: reqwest::Request,
        start: Instant,
        limit: u64,
    ) -> Result<Exchange, SendError> {
        let deadline = start + request.timeout().copied().unwrap_or(self.timeout);
        let mut hop = redirect::Hop::from_request(request);
        let mut redirects = 0;
        loop {
            let kept = hop.keep_for_redirect();
            let (request, url) = self.http_request(hop)?;
            let sent = self.plain_client().request(request);
            let response = match tokio::time::timeout_at(deadline.into(), sent).await {
                Err(_) => return Err(SendError::timeout(&url)),
                Ok(Err(error)) => return Err(SendError::request(&url, error)),
                Ok(Ok(response)) => response,
            };
            let mut cookies = response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .peekable();
            if cookies.peek().is_some() {
                self.jar.set_cookies(&mut cookies, &url);
            }
            let Some(next) = kept.follow(&response, &url) else {
                return Ok(read(response, url, deadline, start, limit).await);
            };
            if redirects == redirect::MAX_REDIRECTS {
                return Err(SendError::redirects(&url));
            }
            redirects += 1;
            // Read to the end (nothing of it kept), so that the connection goes back to the pool.
            let mut drained = Collect::new(0);
            let _ = tokio::time::timeout_at(
                deadline.into(),
                frames(response.into_body(), &mut drained),
            )
            .await;
            match next {
                redirect::Next::Plain(next) => hop = next,
                // Leaving plain HTTP: reqwest takes over, redirects and all.
                redirect::Next::Secure(request) => {
                    return via_reqwest(&self.reqwest, request, start, limit).await;
                }
            }
        }
    }

    /// The request as hyper takes it, with what reqwest adds to every request: its user agent,
    /// `Accept: */*`, and the jar's cookies for the URL.
    fn http_request(
        &self,
        hop: redirect::Hop,
    ) -> Result<(http::Request<Full<Bytes>>, Url), SendError> {
        let uri: http::Uri = hop
            .url
            .as_str()
            .parse()
            .map_err(|_| SendError::invalid_uri(&hop.url))?;
        let mut request = http::Request::new(Full::new(hop.body.unwrap_or_default()));
        *request.method_mut() = hop.method;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        *headers = hop.headers;
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
}

/// Reads the body of the final response, within the request's deadline. A body that fails is
/// the response's to report (as reqwest's `bytes()` reports it), not the request's.
async fn read(
    response: http::Response<hyper::body::Incoming>,
    url: Url,
    deadline: Instant,
    start: Instant,
    limit: u64,
) -> Exchange {
    let ttfb = start.elapsed();
    let (parts, body) = response.into_parts();
    let content_length = hyper::body::Body::size_hint(&body).exact();
    let mut collect = Collect::new(limit);
    let read = tokio::time::timeout_at(deadline.into(), frames(body, &mut collect)).await;
    let received = collect.received();
    let (body, complete) = match read {
        Ok(Ok(())) => kept(collect.finish(), &url, limit),
        Ok(Err(error)) => (Err(SendError::body_read(&url, error)), false),
        Err(_) => (Err(SendError::body_timeout(&url)), false),
    };
    let head = Head {
        status: parts.status,
        version: parts.version,
        headers: parts.headers,
        extensions: parts.extensions,
        url,
        content_length,
    };
    Exchange {
        head,
        body,
        ttfb,
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
    let head = Head {
        status: response.status(),
        version: response.version(),
        headers: std::mem::take(response.headers_mut()),
        extensions: std::mem::take(response.extensions_mut()),
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
    let received = collect.received();
    let (body, complete) = match read {
        Ok(()) => kept(collect.finish(), &head.url, limit),
        Err(error) => (Err(error), false),
    };
    Ok(Exchange {
        head,
        body,
        ttfb,
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
