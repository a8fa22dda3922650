//! The demo server the examples run against, and which the end-to-end tests use as a server that
//! counts what it receives.
//!
//! - `GET /`: an HTML page with a search form (the "app" of the Loads guide);
//! - `GET /es`: a JSON document like Elasticsearch's root;
//! - `/ws`: a WebSocket that echoes every message;
//! - `POST /login` (form `user=…`): sets a `session` cookie; `GET /whoami`: the user of that cookie;
//! - `POST /logout`: expires that cookie;
//! - `GET /status/{code}`: answers with that status;
//! - `GET /slow/{ms}`: answers after that many milliseconds;
//! - `GET /row/{id}`: answers with the id; counted by path, so every id is counted apart;
//! - `GET /_counts`: what the server has received so far, as JSON (not counted itself);
//! - `POST /echo`: answers with the request's body, and keeps it and the headers in the counts;
//! - `/redirect/{301|302|303|307|308}`: redirects (307 and 308 to `/echo`, the others to
//!   `/es`); `/redirect/loop` redirects to itself;
//! - httpbin's names, for reqwest's documented examples: `GET /ip` (`{"origin": …}`);
//!   `/anything`, `GET /get`, `POST /post`, `PUT /put`, `PATCH /patch`, `DELETE /delete`: the
//!   request described in JSON (`method`, `url`, `args`, `headers`, `data`, `form`, `json`);
//!   `GET /range/{n}`: `n` letters; `GET /drip/{ms}`: half the body at once, the rest after
//!   that many milliseconds;
//! - `GET /truncated`: part of a body, then the connection is cut; `GET /latin1`: `café` in
//!   ISO-8859-1;
//!
//! `cargo run -p loadcase-examples --bin demo-server` serves it on fixed ports; the examples start
//! it in-process on a free port with [`shared`].

#![warn(missing_docs)]

mod counts;
mod routes;
mod tls;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

pub use counts::{Counts, Echoed};

/// A running demo server.
pub struct DemoServer {
    addr: SocketAddr,
    counts: Arc<counts::Counters>,
    tls: bool,
}

impl DemoServer {
    /// Starts a server on `addr` (port 0 for any free port) in a background thread with its own
    /// runtime, and returns once it accepts connections.
    pub fn start(addr: SocketAddr) -> std::io::Result<DemoServer> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let counts = Arc::new(counts::Counters::default());
        let app = routes::router(counts.clone());
        serve_on_thread(format!("demo-server-{}", addr.port()), async move {
            let listener =
                tokio::net::TcpListener::from_std(listener).expect("demo server listener");
            // With the peer's address, for `/ip`.
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app).await.expect("demo server");
        })?;
        Ok(DemoServer {
            addr,
            counts,
            tls: false,
        })
    }

    /// Starts a server on a free loopback port that speaks TLS with `config` (its certificate),
    /// HTTP/2 or HTTP/1.1 as the client chooses by ALPN (the protocols of `config`, or both
    /// when it names none); its [`url`](Self::url)s are `https://`.
    pub fn start_tls(config: rustls::ServerConfig) -> std::io::Result<DemoServer> {
        let mut config = config;
        if config.alpn_protocols.is_empty() {
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        }
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let counts = Arc::new(counts::Counters::default());
        let app = routes::router(counts.clone());
        serve_on_thread(
            format!("demo-server-tls-{}", addr.port()),
            tls::serve(listener, acceptor, app),
        )?;
        Ok(DemoServer {
            addr,
            counts,
            tls: true,
        })
    }

    /// Starts a server on a free loopback port.
    pub fn start_local() -> DemoServer {
        Self::start(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind a free loopback port")
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https://` when started with [`start_tls`](Self::start_tls))
    /// followed by `path`.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{}", self.addr, path)
    }

    /// `ws://127.0.0.1:PORT/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Holds every request that arrives from now on until `pause` has passed, as a server
    /// stalled by a garbage collection or a lock would: for coordinated-omission tests.
    pub fn stall(&self, pause: std::time::Duration) {
        *self
            .counts
            .stall_until
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(std::time::Instant::now() + pause);
    }

    /// What it has received so far.
    pub fn counts(&self) -> Counts {
        self.counts.snapshot()
    }
}

/// Runs `server` on a thread of its own, with a runtime of its own.
fn serve_on_thread(
    name: String,
    server: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new().name(name).spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("demo server runtime");
        runtime.block_on(server);
    })?;
    Ok(())
}

/// The process-wide demo server the examples use, started on first use.
pub fn shared() -> &'static DemoServer {
    static SERVER: OnceLock<DemoServer> = OnceLock::new();
    SERVER.get_or_init(DemoServer::start_local)
}
