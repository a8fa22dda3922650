//! A connection of the hostile server, plain or TLS, with blocking reads and writes that give
//! up every [`POLL`] so that the server's stop flag is looked at.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

/// A connection, plain or TLS.
pub(super) enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

/// How long a blocking read or write waits before the stop flag is looked at again.
pub(super) const POLL: Duration = Duration::from_millis(100);

impl Conn {
    pub(super) fn new(socket: TcpStream, tls: Option<Arc<rustls::ServerConfig>>) -> Conn {
        let _ = socket.set_nonblocking(false);
        let _ = socket.set_read_timeout(Some(POLL));
        let _ = socket.set_write_timeout(Some(POLL));
        let _ = socket.set_nodelay(true);
        match tls.and_then(|config| rustls::ServerConnection::new(config).ok()) {
            Some(server) => Conn::Tls(Box::new(rustls::StreamOwned::new(server, socket))),
            None => Conn::Plain(socket),
        }
    }

    fn socket(&self) -> &TcpStream {
        match self {
            Conn::Plain(socket) => socket,
            Conn::Tls(stream) => &stream.sock,
        }
    }

    /// Ends the connection with an RST instead of a FIN.
    pub(super) fn reset(self) {
        let _ = socket2::SockRef::from(self.socket()).set_linger(Some(Duration::ZERO));
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(socket) => socket.read(buf),
            Conn::Tls(stream) => stream.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(socket) => socket.write(buf),
            Conn::Tls(stream) => stream.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(socket) => socket.flush(),
            Conn::Tls(stream) => stream.flush(),
        }
    }
}

pub(super) fn timed_out(error: &std::io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}
