//! `cx.ws(url)`: an instrumented WebSocket (tokio-tungstenite underneath) that counts sockets
//! opened, and data messages and payload bytes each way.

use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

pub use tokio_tungstenite::tungstenite::Message;

use crate::http::client::CONNECT_TIMEOUT;
use crate::record::recorder::Recorder;

/// What can go wrong on a WebSocket.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// Connecting or the opening handshake failed.
    #[error("websocket {url}: {source}")]
    Connect {
        /// The URL, without a password.
        url: String,
        /// Why.
        source: tungstenite::Error,
    },
    /// The protocol failed on an open socket.
    #[error("websocket: {0}")]
    Protocol(#[from] tungstenite::Error),
    /// The opening handshake did not complete in time.
    #[error("websocket {url}: no handshake within {after:?}")]
    Timeout {
        /// The URL, without a password.
        url: String,
        /// How long it waited.
        after: std::time::Duration,
    },
    /// No message came in time (see [`WebSocket::set_recv_timeout`]).
    #[error("websocket: no message within {0:?}")]
    RecvTimeout(std::time::Duration),
    /// The peer closed the socket (or the stream ended) while a message was awaited.
    #[error("websocket closed by the peer while a message was awaited")]
    Closed,
    /// A message of another type than awaited arrived.
    #[error("websocket: expected a {expected} message, got {got}")]
    Unexpected {
        /// What the caller awaited.
        expected: &'static str,
        /// What came instead.
        got: String,
    },
}

/// A WebSocket connection. Use the helpers (`send_text`, `recv_text`, …) or it as a
/// `Stream` + `Sink` of [`Message`]s; both paths are counted.
pub struct WebSocket {
    inner: WebSocketStream<MaybeTlsStream<TcpStream>>,
    rec: Recorder,
    recv_timeout: std::time::Duration,
}

fn payload_len(message: &Message) -> Option<u64> {
    match message {
        Message::Text(text) => Some(text.len() as u64),
        Message::Binary(data) => Some(data.len() as u64),
        _ => None,
    }
}

fn describe(message: &Message) -> String {
    match message {
        Message::Text(text) => format!("text {:?}", text.as_str()),
        Message::Binary(data) => format!("binary ({} bytes)", data.len()),
        Message::Close(frame) => format!("close ({frame:?})"),
        other => format!("{other:?}"),
    }
}

impl WebSocket {
    pub(crate) async fn connect(url: &str, rec: Recorder) -> Result<WebSocket, WsError> {
        let connector = crate::http::client::shared_tls().map(Connector::Rustls);
        let connecting =
            tokio_tungstenite::connect_async_tls_with_config(url, None, true, connector);
        let shown = || crate::record::redact::passwords_in(url).into_owned();
        let (inner, _response) = tokio::time::timeout(CONNECT_TIMEOUT, connecting)
            .await
            .map_err(|_| WsError::Timeout {
                url: shown(),
                after: CONNECT_TIMEOUT,
            })?
            .map_err(|source| WsError::Connect {
                url: shown(),
                source,
            })?;
        rec.with(|stats| stats.websockets.opened += 1);
        Ok(WebSocket {
            inner,
            rec,
            recv_timeout: crate::http::client::DEFAULT_REQUEST_TIMEOUT,
        })
    }

    /// Sends a text message.
    pub async fn send_text(&mut self, text: impl Into<String>) -> Result<(), WsError> {
        self.send(Message::text(text.into())).await
    }

    /// Sends a binary message.
    pub async fn send_binary(&mut self, data: impl Into<bytes::Bytes>) -> Result<(), WsError> {
        self.send(Message::binary(data.into())).await
    }

    /// Receives the next text, binary or close message; pings and pongs are answered and skipped.
    /// Waits at most the receive timeout (60 s unless [`set_recv_timeout`](Self::set_recv_timeout)
    /// changed it), so a silent peer ends the hit with an error instead of holding it forever.
    pub async fn recv(&mut self) -> Result<Message, WsError> {
        let limit = self.recv_timeout;
        let next = async {
            loop {
                match self.next().await {
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                    Some(Ok(message)) => return Ok(message),
                    Some(Err(error)) => return Err(error),
                    None => return Err(WsError::Closed),
                }
            }
        };
        tokio::time::timeout(limit, next)
            .await
            .map_err(|_| WsError::RecvTimeout(limit))?
    }

    /// How long [`recv`](Self::recv) and the `recv_*` helpers wait for a message.
    pub fn set_recv_timeout(&mut self, timeout: std::time::Duration) {
        self.recv_timeout = timeout;
    }

    /// Receives the next message, which must be text.
    pub async fn recv_text(&mut self) -> Result<String, WsError> {
        match self.recv().await? {
            Message::Text(text) => Ok(text.as_str().to_owned()),
            Message::Close(_) => Err(WsError::Closed),
            other => Err(WsError::Unexpected {
                expected: "text",
                got: describe(&other),
            }),
        }
    }

    /// Receives the next message, which must be binary.
    pub async fn recv_binary(&mut self) -> Result<bytes::Bytes, WsError> {
        match self.recv().await? {
            Message::Binary(data) => Ok(data),
            Message::Close(_) => Err(WsError::Closed),
            other => Err(WsError::Unexpected {
                expected: "binary",
                got: describe(&other),
            }),
        }
    }

    /// Closes the connection cleanly.
    pub async fn close(mut self) -> Result<(), WsError> {
        match self.inner.close(None).await {
            Ok(())
            | Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }
}

impl Stream for WebSocket {
    type Item = Result<Message, WsError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(Ok(message))) = &polled
            && let Some(bytes) = payload_len(message)
        {
            self.rec.with(|stats| {
                stats.websockets.messages_received += 1;
                stats.websockets.bytes_received += bytes;
            });
        }
        polled.map(|item| item.map(|result| result.map_err(WsError::from)))
    }
}

impl Sink<Message> for WebSocket {
    type Error = WsError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<(), WsError>> {
        self.inner.poll_ready_unpin(cx).map_err(WsError::from)
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<(), WsError> {
        let bytes = payload_len(&message);
        self.inner.start_send_unpin(message)?;
        if let Some(bytes) = bytes {
            self.rec.with(|stats| {
                stats.websockets.messages_sent += 1;
                stats.websockets.bytes_sent += bytes;
            });
        }
        Ok(())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<(), WsError>> {
        self.inner.poll_flush_unpin(cx).map_err(WsError::from)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<(), WsError>> {
        self.inner.poll_close_unpin(cx).map_err(WsError::from)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[tokio::test]
    async fn a_silent_peer_times_out_and_messages_are_counted() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(socket).await.unwrap();
            // Reads, and never answers.
            while let Some(Ok(_)) = ws.next().await {}
        });
        let rec = Recorder::new();
        let mut ws = WebSocket::connect(&format!("ws://{addr}/"), rec.clone())
            .await
            .unwrap();
        ws.send_text("hello").await.unwrap();
        ws.set_recv_timeout(Duration::from_millis(200));
        let started = Instant::now();
        let error = ws.recv_text().await.unwrap_err();
        assert!(matches!(error, WsError::RecvTimeout(_)), "{error}");
        assert!(started.elapsed() < Duration::from_secs(2));
        let stats = rec.harvest();
        assert_eq!(
            (
                stats.websockets.opened,
                stats.websockets.messages_sent,
                stats.websockets.bytes_sent
            ),
            (1, 1, 5)
        );
    }

    #[tokio::test]
    async fn a_failed_connection_names_the_url_without_its_password() {
        // A port nothing listens on: bound, then closed.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let url = format!("ws://ann:s3cret@{addr}/chat");
        let error = WebSocket::connect(&url, Recorder::new())
            .await
            .err()
            .unwrap();
        let text = error.to_string();
        assert!(matches!(error, WsError::Connect { .. }), "{text}");
        assert!(
            text.starts_with(&format!("websocket ws://ann:[redacted]@{addr}/chat: ")),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
    }
}
