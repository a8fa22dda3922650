//! A virtual user's own connections, for the lean path: one user's requests are one task's, so
//! its connections need no shared pool. An HTTP/1.1 connection is taken for one request and
//! given back once its response is read to the end; an HTTP/2 one (chosen by ALPN, as reqwest
//! chooses it) carries all of the user's requests to its server at once. hyper-util's pooled
//! client does the same with a checkout racing a new connection, a lock and waiters on every
//! request; here it is a look along a short list.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::{TrySendError, http1, http2};
use hyper_util::client::legacy::connect::dns::{GaiAddrs, GaiResolver, Name};
use hyper_util::client::legacy::connect::{Connection, HttpConnector, HttpInfo};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use reqwest::Url;
use reqwest::header::HeaderValue;
use rustls::pki_types::ServerName;
use tower_service::Service;

use crate::http::error::{ClientError, DnsError};

/// The request body the lean path sends: in memory, as nearly every load-test request's is.
pub(super) type Body = Full<Bytes>;

/// A connection unused this long is closed rather than reused, as hyper-util's pool (and so
/// reqwest) closes it.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// hyper-util's resolver (the one reqwest uses by default), its errors wrapped as reqwest's
/// resolver wraps them, so that a name that does not resolve reads and answers `is_dns()` alike
/// on both paths.
#[derive(Clone)]
pub(super) struct Resolver(pub(super) GaiResolver);

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

/// Where a connection goes: scheme, host and port, as hyper-util's pool keys its connections;
/// shared by the connection's requests.
#[derive(Debug)]
struct Origin {
    https: bool,
    host: String,
    port: u16,
    /// The `Host` header of its HTTP/1.1 requests, made once: the host, and the port when it is
    /// not the scheme's, as hyper-util's client writes it.
    host_header: Option<HeaderValue>,
}

impl Origin {
    fn new(https: bool, host: &str, port: u16) -> Arc<Origin> {
        let default = if https { 443 } else { 80 };
        let host_header = if port == default {
            HeaderValue::from_str(host)
        } else {
            HeaderValue::from_str(&format!("{host}:{port}"))
        };
        Arc::new(Origin {
            https,
            host: host.to_owned(),
            port,
            host_header: host_header.ok(),
        })
    }

    fn is(&self, https: bool, host: &str, port: u16) -> bool {
        self.https == https && self.port == port && self.host == host
    }
}

/// How requests are sent on a connection.
enum Sender {
    H1(http1::SendRequest<Body>),
    H2(http2::SendRequest<Body>),
}

impl Sender {
    fn is_closed(&self) -> bool {
        match self {
            Sender::H1(sender) => sender.is_closed(),
            Sender::H2(sender) => sender.is_closed(),
        }
    }
}

/// A connection taken for a request.
pub(super) struct Conn {
    origin: Arc<Origin>,
    sender: Sender,
    info: Option<HttpInfo>,
    /// Whether it carried a request before this one: a request it could not send goes again on
    /// a new connection, as hyper-util's client retries it.
    reused: bool,
}

/// A request that got no response on a connection; `retry` is the request back when it was
/// not sent at all on a connection that was reused, and may go on a new one.
pub(super) struct Unsent {
    pub error: ClientError,
    pub retry: Option<http::Request<Body>>,
}

impl Conn {
    /// Whether requests go out as HTTP/2 on it.
    pub(super) fn is_h2(&self) -> bool {
        matches!(self.sender, Sender::H2(_))
    }

    /// The `Host` header its HTTP/1.1 requests carry.
    pub(super) fn host_header(&self) -> Option<&HeaderValue> {
        self.origin.host_header.as_ref()
    }

    /// What the response's extensions carry of the connection (its addresses), as hyper-util's
    /// connector gives them.
    pub(super) fn info(&self) -> Option<&HttpInfo> {
        self.info.as_ref()
    }

    /// Sends `request` and waits for the head of its response.
    pub(super) async fn send(
        &mut self,
        request: http::Request<Body>,
    ) -> Result<http::Response<hyper::body::Incoming>, Unsent> {
        let ready = match &mut self.sender {
            Sender::H1(sender) => sender.ready().await,
            Sender::H2(sender) => sender.ready().await,
        };
        if let Err(error) = ready {
            // Closed while idle (the server's keep-alive ran out): the request is still ours.
            let retry = self.reused.then_some(request);
            return Err(Unsent {
                error: ClientError::canceled(error),
                retry,
            });
        }
        let sent = match &mut self.sender {
            Sender::H1(sender) => sender.try_send_request(request).await,
            Sender::H2(sender) => sender.try_send_request(request).await,
        };
        sent.map_err(|mut error: TrySendError<_>| match error.take_message() {
            Some(request) => Unsent {
                retry: self.reused.then_some(request),
                error: ClientError::canceled(error.into_error()),
            },
            None => Unsent {
                error: ClientError::send(error.into_error()),
                retry: None,
            },
        })
    }
}

/// An idle HTTP/1.1 connection, or a user's HTTP/2 one (shared by its requests).
struct Idle {
    origin: Arc<Origin>,
    sender: Sender,
    info: Option<HttpInfo>,
    since: Instant,
}

/// A user's connections, and how it makes new ones.
pub(super) struct Connections {
    idle: Mutex<Vec<Idle>>,
    connector: HttpConnector<Resolver>,
    /// The run's TLS configuration for HTTP (ALPN offering h2 and http/1.1); `None`: no https
    /// on the lean path.
    tls: Option<Arc<rustls::ClientConfig>>,
    connect_timeout: Duration,
}

impl Connections {
    pub(super) fn new(
        connector: HttpConnector<Resolver>,
        tls: Option<Arc<rustls::ClientConfig>>,
        connect_timeout: Duration,
    ) -> Connections {
        Connections {
            idle: Mutex::new(Vec::new()),
            connector,
            tls,
            connect_timeout,
        }
    }

    /// Whether an https URL can go on the lean path.
    pub(super) fn has_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// A connection to `url`'s origin: an idle one, the user's HTTP/2 one, or a new one. `now`
    /// is about now, for the idle connections' age (a clock read less a request).
    pub(super) async fn get(&self, url: &Url, now: Instant) -> Result<Conn, ClientError> {
        let https = url.scheme() == "https";
        let host = url.host_str().unwrap_or_default();
        let port = url.port_or_known_default().unwrap_or(80);
        if let Some(conn) = self.take_idle(https, host, port, now) {
            return Ok(conn);
        }
        let origin = Origin::new(https, host, port);
        // Boxed: connecting (resolver, TCP, TLS handshake) is a large future, and a rare one; held
        // inline it would make every request's future that large, and moving it costly.
        Box::pin(self.connect(origin, url)).await
    }

    fn take_idle(&self, https: bool, host: &str, port: u16, now: Instant) -> Option<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        // Closed or stale connections go as they are found.
        idle.retain(|c| {
            !c.sender.is_closed() && now.saturating_duration_since(c.since) < IDLE_TIMEOUT
        });
        let at = idle.iter().position(|c| c.origin.is(https, host, port))?;
        let conn = match &idle[at].sender {
            Sender::H2(sender) => {
                let shared = &idle[at];
                Conn {
                    origin: shared.origin.clone(),
                    sender: Sender::H2(sender.clone()),
                    info: shared.info.clone(),
                    reused: true,
                }
            }
            Sender::H1(_) => {
                let taken = idle.swap_remove(at);
                Conn {
                    origin: taken.origin,
                    sender: taken.sender,
                    info: taken.info,
                    reused: true,
                }
            }
        };
        Some(conn)
    }

    /// Gives back an HTTP/1.1 connection whose response was read to its end (at `since`, when
    /// it became idle), for the next request (an HTTP/2 one stays listed while it is in use).
    pub(super) fn put(&self, conn: Conn, since: Instant) {
        if conn.is_h2() || conn.sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.push(Idle {
            origin: conn.origin,
            sender: conn.sender,
            info: conn.info,
            since,
        });
    }

    async fn connect(&self, origin: Arc<Origin>, url: &Url) -> Result<Conn, ClientError> {
        let uri = http::Uri::builder()
            .scheme(if origin.https { "https" } else { "http" })
            .authority(format!("{}:{}", origin.host, origin.port).as_str())
            .path_and_query("/")
            .build()
            .map_err(ClientError::connect)?;
        // The connector resolves, connects within its timeout and words its errors as reqwest's
        // chain has them (`tcp connect error`, `dns error`).
        let tcp = self
            .connector
            .clone()
            .call(uri)
            .await
            .map_err(ClientError::connect)?;
        let mut extensions = http::Extensions::new();
        tcp.connected().get_extras(&mut extensions);
        let info = extensions.remove::<HttpInfo>();
        let sender = if origin.https {
            let Some(tls) = &self.tls else {
                return Err(ClientError::connect("no TLS configuration for https"));
            };
            let name = server_name(url).map_err(ClientError::connect)?;
            let connector = tokio_rustls::TlsConnector::from(tls.clone());
            let handshake = connector.connect(name, tcp.into_inner());
            let stream = match tokio::time::timeout(self.connect_timeout, handshake).await {
                Ok(stream) => stream.map_err(ClientError::connect)?,
                Err(_) => {
                    return Err(ClientError::connect(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "TLS handshake timed out",
                    )));
                }
            };
            if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
                // Boxed: hyper spawns a task for every HTTP/2 request whose future is an enum
                // that also holds the connection's (with its stream inline), so the TLS state
                // held inline would be copied into every request's task.
                handshake_http(TokioIo::new(Box::new(stream)), true).await?
            } else {
                handshake_http(TokioIo::new(stream), false).await?
            }
        } else {
            handshake_http(tcp, false).await?
        };
        let conn = Conn {
            origin,
            sender,
            info,
            reused: false,
        };
        if let Sender::H2(sender) = &conn.sender {
            // Listed at once: the user's other requests to this server share it.
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            idle.push(Idle {
                origin: conn.origin.clone(),
                sender: Sender::H2(sender.clone()),
                info: conn.info.clone(),
                since: Instant::now(),
            });
        }
        Ok(conn)
    }
}

/// The HTTP handshake on a connected stream, its connection then driven by a task of its own.
async fn handshake_http<T>(io: T, h2: bool) -> Result<Sender, ClientError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    if h2 {
        let (sender, connection) = http2::Builder::new(TokioExecutor::new())
            .timer(TokioTimer::new())
            .handshake(io)
            .await
            .map_err(ClientError::connect)?;
        tokio::spawn(connection);
        Ok(Sender::H2(sender))
    } else {
        let (sender, connection) = http1::handshake(io).await.map_err(ClientError::connect)?;
        tokio::spawn(connection);
        Ok(Sender::H1(sender))
    }
}

/// The name the server's certificate must have: the URL's domain, or its IP address.
fn server_name(url: &Url) -> Result<ServerName<'static>, std::io::Error> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, what);
    match url.host() {
        Some(url::Host::Domain(domain)) => ServerName::try_from(domain.to_owned())
            .map_err(|e| invalid(format!("invalid server name {domain}: {e}"))),
        Some(url::Host::Ipv4(ip)) => Ok(ServerName::IpAddress(std::net::IpAddr::V4(ip).into())),
        Some(url::Host::Ipv6(ip)) => Ok(ServerName::IpAddress(std::net::IpAddr::V6(ip).into())),
        None => Err(invalid(format!("{url} has no host"))),
    }
}
