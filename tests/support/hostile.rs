//! A hostile server: raw sockets on a free loopback port, misbehaving in one chosen way, as the
//! systems a load tester is pointed at do when they fail. It counts what it received, so that a
//! test can hold loadcase's figures against it.
//!
//! Plain threads and blocking sockets, no runtime: a connection thread per client, each polling
//! the server's stop flag, so that a dropped server ends every connection it holds (a hung one
//! included) within a tenth of a second.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod conn;
mod tls;

use conn::{Conn, timed_out};
pub use tls::{Cert, Tls};

/// How the server misbehaves.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Nothing listens: a port that was bound and released (connections are refused).
    Refused,
    /// No fault: `200 OK` with the body `ok`, on kept-alive connections, counting the
    /// `Authorization` headers of each request; a WebSocket echoes every message.
    Answer,
    /// Announces a body of 1 MiB, sends 1 KiB of it, then resets the connection (an RST).
    ResetMidBody,
    /// Reads the request and never answers, holding the connection open.
    Hang,
    /// A body of `bytes` bytes, one byte every `every`.
    SlowDrip {
        /// The body's length.
        bytes: usize,
        /// The pause before each byte.
        every: Duration,
    },
    /// A chunked body that never ends: 64 KiB chunks as fast as the client reads them.
    Endless,
    /// A body of this many bytes, announced by `Content-Length` and sent as fast as the client
    /// reads it.
    Huge(u64),
    /// A status line that is not HTTP.
    MalformedStatus,
    /// A chunked body whose second chunk size is not hexadecimal.
    MalformedChunking,
    /// `Content-Length: 100` and 10 bytes, then the connection is closed (a FIN).
    ShortBody,
    /// A WebSocket that echoes the first message, then resets the connection.
    WsReset,
    /// A WebSocket that announces a binary frame of 1 TiB and sends its bytes as long as the
    /// client reads them.
    WsHugeFrame,
}

/// What the server received and sent.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Connections accepted (TLS ones whose handshake failed included).
    pub connections: u64,
    /// Requests whose head arrived whole (a WebSocket's upgrade request included).
    pub requests: u64,
    /// By `METHOD /path`, how many requests came.
    pub by_route: BTreeMap<String, u64>,
    /// By `METHOD /path`, the number of `Authorization` headers of each request, in order.
    pub authorization: BTreeMap<String, Vec<usize>>,
    /// WebSocket messages received.
    pub ws_messages: u64,
    /// Bytes of responses and frames written.
    pub bytes_sent: u64,
}

#[derive(Default)]
struct Tally {
    seen: Mutex<Seen>,
    bytes_sent: AtomicU64,
}

impl Tally {
    fn with(&self, f: impl FnOnce(&mut Seen)) {
        f(&mut self.seen.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// A running hostile server; dropping it stops it and ends its connections.
pub struct Hostile {
    addr: SocketAddr,
    fault: Fault,
    tls: Option<tls::Tls>,
    tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Hostile {
    /// A plain-HTTP (and `ws://`) server with `fault`.
    pub fn start(fault: Fault) -> Hostile {
        Self::serve(fault, None)
    }

    /// An HTTPS (and `wss://`) server with `fault`, presenting a certificate of kind `cert`
    /// made for it; [`Hostile::cert_file`] is that certificate as a PEM file.
    pub fn tls(fault: Fault, cert: Cert) -> Hostile {
        Self::serve(fault, Some(tls::Tls::new(cert)))
    }

    fn serve(fault: Fault, tls: Option<tls::Tls>) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
        let addr = listener.local_addr().expect("a bound port");
        let mut server = Hostile {
            addr,
            fault,
            tls,
            tally: Arc::default(),
            stop: Arc::default(),
            accept: None,
        };
        // Refused: the port was free a moment ago and nothing listens on it now.
        if !matches!(fault, Fault::Refused) {
            server.accept = Some(server.accept_on(listener));
        }
        server
    }

    /// Stops serving and serves again on the same port, as a restarted server would: the
    /// connections it held are ended (reset), and new ones are refused in between.
    pub fn restart(&mut self, down_for: Duration) {
        self.shut_down();
        std::thread::sleep(down_for);
        self.stop = Arc::default();
        let listener = (0..50)
            .find_map(|_| {
                TcpListener::bind(self.addr)
                    .map_err(|_| std::thread::sleep(Duration::from_millis(20)))
                    .ok()
            })
            .expect("bind the same port again");
        self.accept = Some(self.accept_on(listener));
    }

    fn accept_on(&self, listener: TcpListener) -> JoinHandle<()> {
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let (fault, tally, stop) = (self.fault, self.tally.clone(), self.stop.clone());
        let tls = self.tls.as_ref().map(tls::Tls::config);
        std::thread::Builder::new()
            .name(format!("hostile-{}", self.addr.port()))
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let socket = match listener.accept() {
                        Ok((socket, _)) => socket,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(2));
                            continue;
                        }
                        Err(_) => continue,
                    };
                    tally.with(|seen| seen.connections += 1);
                    let conn = Conn::new(socket, tls.clone());
                    let (tally, stop) = (tally.clone(), stop.clone());
                    std::thread::spawn(move || serve(conn, fault, &tally, &stop));
                }
            })
            .expect("start the hostile server's thread")
    }

    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }

    /// `http://127.0.0.1:PORT` (or `https://`) followed by `path`.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }

    /// `ws://127.0.0.1:PORT` (or `wss://`) followed by `path`.
    pub fn ws_url(&self, path: &str) -> String {
        let scheme = if self.tls.is_some() { "wss" } else { "ws" };
        format!("{scheme}://{}{path}", self.addr)
    }

    /// The PEM file of the certificate a TLS server presents.
    pub fn cert_file(&self) -> PathBuf {
        self.tls.as_ref().expect("a TLS server").pem_file()
    }

    /// What it has received so far.
    pub fn seen(&self) -> Seen {
        let mut seen = self
            .tally
            .seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        seen.bytes_sent = self.tally.bytes_sent.load(Ordering::Relaxed);
        seen
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// A request's head.
struct Head {
    route: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(n, _)| n == name);
        found.map(|(_, v)| v.as_str())
    }
}

/// Reads one request (its body too, by `Content-Length`); `None` when the client went away or
/// the server stops.
fn read_request(conn: &mut Conn, stop: &AtomicBool) -> Option<Head> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    // A byte at a time: the head is small, and nothing past it may be read by mistake.
    while !buf.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte) {
            Ok(0) => return None,
            Ok(_) => buf.push(byte[0]),
            Err(e) if timed_out(&e) && !stop.load(Ordering::Relaxed) => {}
            Err(_) => return None,
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let mut words = lines.next()?.split(' ');
    let (method, target) = (words.next()?, words.next()?);
    let path = target.split('?').next().unwrap_or(target);
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let head = Head {
        route: format!("{method} {path}"),
        headers,
    };
    let length: usize = head
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let mut read = 0;
    while read < length {
        match conn.read(&mut body[read..]) {
            Ok(0) => return None,
            Ok(n) => read += n,
            Err(e) if timed_out(&e) && !stop.load(Ordering::Relaxed) => {}
            Err(_) => return None,
        }
    }
    Some(head)
}

/// Writes all of `bytes`, counting them; `false` when the client went away or the server stops.
fn send(conn: &mut Conn, bytes: &[u8], tally: &Tally, stop: &AtomicBool) -> bool {
    let mut sent = 0;
    while sent < bytes.len() {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        match conn.write(&bytes[sent..]) {
            Ok(0) => return false,
            Ok(n) => {
                sent += n;
                tally.bytes_sent.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(e) if timed_out(&e) => {}
            Err(_) => return false,
        }
    }
    conn.flush().is_ok()
}

/// Sends `chunk` until `total` bytes went out (forever with `None`).
fn stream(conn: &mut Conn, chunk: &[u8], total: Option<u64>, tally: &Tally, stop: &AtomicBool) {
    let mut left = total.unwrap_or(u64::MAX);
    while left > 0 {
        let n = chunk.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if !send(conn, &chunk[..n], tally, stop) {
            return;
        }
        left -= n as u64;
    }
}

/// Holds the connection until the client closes it or the server stops.
fn hold(conn: &mut Conn, stop: &AtomicBool) {
    let mut buf = [0u8; 1024];
    while !stop.load(Ordering::Relaxed) {
        match conn.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if timed_out(&e) => {}
            Err(_) => return,
        }
    }
}

fn serve(mut conn: Conn, fault: Fault, tally: &Tally, stop: &AtomicBool) {
    loop {
        let Some(head) = read_request(&mut conn, stop) else {
            return;
        };
        tally.with(|seen| {
            seen.requests += 1;
            *seen.by_route.entry(head.route.clone()).or_default() += 1;
            let authorization = head.headers.iter().filter(|(n, _)| n == "authorization");
            let count = authorization.count();
            seen.authorization
                .entry(head.route.clone())
                .or_default()
                .push(count);
        });
        let upgrade = head.header("upgrade").is_some();
        let kept_alive = matches!(fault, Fault::Answer) && !upgrade;
        match fault {
            Fault::Answer if upgrade => websocket(&mut conn, fault, &head, tally, stop),
            fault => answer(&mut conn, fault, &head, tally, stop),
        }
        if !kept_alive {
            break;
        }
    }
    if matches!(fault, Fault::ResetMidBody | Fault::WsReset) {
        conn.reset();
    }
}

fn answer(conn: &mut Conn, fault: Fault, head: &Head, tally: &Tally, stop: &AtomicBool) {
    let ok = |length: u64| format!("HTTP/1.1 200 OK\r\ncontent-length: {length}\r\n\r\n");
    match fault {
        Fault::Refused => {}
        Fault::Answer => {
            send(conn, format!("{}ok", ok(2)).as_bytes(), tally, stop);
        }
        Fault::ResetMidBody => {
            let _ = send(conn, ok(1 << 20).as_bytes(), tally, stop)
                && send(conn, &[b'x'; 1024], tally, stop);
            // Time for the client to read what came before the reset.
            std::thread::sleep(Duration::from_millis(50));
        }
        Fault::Hang => hold(conn, stop),
        Fault::SlowDrip { bytes, every } => {
            if send(conn, ok(bytes as u64).as_bytes(), tally, stop) {
                for _ in 0..bytes {
                    std::thread::sleep(every);
                    if !send(conn, b"x", tally, stop) {
                        return;
                    }
                }
            }
        }
        Fault::Endless => {
            let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
            if send(conn, head.as_bytes(), tally, stop) {
                let mut chunk = b"10000\r\n".to_vec();
                chunk.extend(std::iter::repeat_n(b'x', 0x10000));
                chunk.extend(b"\r\n");
                stream(conn, &chunk, None, tally, stop);
            }
        }
        Fault::Huge(bytes) => {
            if send(conn, ok(bytes).as_bytes(), tally, stop) {
                stream(conn, &[b'x'; 64 * 1024], Some(bytes), tally, stop);
            }
        }
        Fault::MalformedStatus => {
            send(conn, b"HTTP/1.1 two hundred OK\r\n\r\nok", tally, stop);
        }
        Fault::MalformedChunking => {
            let text = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\n";
            send(conn, text.as_bytes(), tally, stop);
            hold(conn, stop);
        }
        Fault::ShortBody => {
            send(
                conn,
                format!("{}0123456789", ok(100)).as_bytes(),
                tally,
                stop,
            );
        }
        Fault::WsReset | Fault::WsHugeFrame => websocket(conn, fault, head, tally, stop),
    }
}

/// The opening handshake, then the fault.
fn websocket(conn: &mut Conn, fault: Fault, head: &Head, tally: &Tally, stop: &AtomicBool) {
    let Some(key) = head.header("sec-websocket-key") else {
        send(
            conn,
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n",
            tally,
            stop,
        );
        return;
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let switching = format!(
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: {accept}\r\n\r\n"
    );
    if !send(conn, switching.as_bytes(), tally, stop) {
        return;
    }
    if let Fault::WsHugeFrame = fault {
        // FIN + binary, a 64-bit length of 1 TiB, no mask (a server's frames are unmasked).
        let mut header = vec![0x82, 127];
        header.extend((1u64 << 40).to_be_bytes());
        if send(conn, &header, tally, stop) {
            stream(conn, &[0u8; 64 * 1024], None, tally, stop);
        }
        return;
    }
    let mut ws =
        tungstenite::WebSocket::from_raw_socket(conn, tungstenite::protocol::Role::Server, None);
    let started = Instant::now();
    let mut received = 0;
    while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(30) {
        match ws.read() {
            Ok(message) if message.is_text() || message.is_binary() => {
                tally.with(|seen| seen.ws_messages += 1);
                received += 1;
                if matches!(fault, Fault::WsReset) && received == 2 {
                    // The second message: no answer, no closing handshake, a reset.
                    return;
                }
                let _ = ws.send(message);
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if timed_out(&e) => {}
            Err(_) => return,
        }
    }
}
