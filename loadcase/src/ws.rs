//! `cx.ws(url)`: an instrumented WebSocket (tokio-tungstenite underneath) that counts sockets
//! opened, and data messages and payload bytes each way.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

pub use tokio_tungstenite::tungstenite::Message;

use crate::http::client::CONNECT_TIMEOUT;
use crate::record::recorder::Recorder;

/// What can go wrong on a WebSocket. Each names the socket's URL (without a password).
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
    /// The protocol failed on an open socket: the peer reset it, or sent what is not WebSocket.
    #[error("websocket {url}: {source}")]
    Protocol {
        /// The URL, without a password.
        url: String,
        /// Why.
        source: tungstenite::Error,
    },
    /// A message (or one frame of it) larger than a user takes: the run's body limit
    /// (`--body-limit`, by default [`DEFAULT_BODY_LIMIT`](crate::DEFAULT_BODY_LIMIT)). It is
    /// refused as its header arrives, before its bytes are kept, and the socket is unusable.
    #[error(
        "websocket {url}: a message of {size} bytes is over the {limit} a user takes (--body-limit); raise --body-limit to receive it"
    )]
    TooLarge {
        /// The URL, without a password.
        url: String,
        /// The size the peer announced (of the frame, or of the message so far).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The opening handshake did not complete in time.
    #[error("websocket {url}: no handshake within {after:?}")]
    Timeout {
        /// The URL, without a password.
        url: String,
        /// How long it waited.
        after: std::time::Duration,
    },
    /// No message came in time (see [`WebSocket::set_recv_timeout`]).
    #[error("websocket {url}: no message within {after:?}")]
    RecvTimeout {
        /// The URL, without a password.
        url: String,
        /// How long it waited.
        after: std::time::Duration,
    },
    /// The peer closed the socket (or the stream ended) while a message was awaited.
    #[error("websocket {url}: closed by the peer while a message was awaited")]
    Closed {
        /// The URL, without a password.
        url: String,
    },
    /// A message of another type than awaited arrived.
    #[error("websocket {url}: expected a {expected} message, got {got}")]
    Unexpected {
        /// The URL, without a password.
        url: String,
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
    /// The URL without its password, for errors.
    url: String,
    /// The most a message may hold.
    limit: u64,
    /// The receive timeout's timer, armed on the first `recv` and moved on only when it fires
    /// before the deadline of the `recv` it guards: arming a timer for every message costs a
    /// measurable share of the message.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
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

/// tungstenite's limits from the run's body limit: no message, and so no frame, larger.
fn config(limit: u64) -> WebSocketConfig {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    WebSocketConfig::default()
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit))
}

impl WebSocket {
    /// Connects to `url` through `tls` for `wss://`, taking messages of at most `limit` bytes.
    pub(crate) async fn connect(
        url: &str,
        rec: Recorder,
        tls: Option<Arc<rustls::ClientConfig>>,
        limit: u64,
    ) -> Result<WebSocket, WsError> {
        let connector = tls.map(Connector::Rustls);
        let connecting = tokio_tungstenite::connect_async_tls_with_config(
            url,
            Some(config(limit)),
            true,
            connector,
        );
        let shown = crate::record::redact::passwords_in(url).into_owned();
        let (inner, _response) = match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
            Err(_) => {
                return Err(WsError::Timeout {
                    url: shown,
                    after: CONNECT_TIMEOUT,
                });
            }
            Ok(Err(source)) => return Err(WsError::Connect { url: shown, source }),
            Ok(Ok(connected)) => connected,
        };
        rec.with(|stats| stats.websockets.opened += 1);
        Ok(WebSocket {
            inner,
            rec,
            recv_timeout: crate::http::client::DEFAULT_REQUEST_TIMEOUT,
            url: shown,
            limit,
            timer: None,
        })
    }

    /// `source` as this socket's error.
    fn error(&self, source: tungstenite::Error) -> WsError {
        let url = self.url.clone();
        match source {
            tungstenite::Error::Capacity(tungstenite::error::CapacityError::MessageTooLong {
                size,
                ..
            }) => WsError::TooLarge {
                url,
                size: size as u64,
                limit: self.limit,
            },
            source => WsError::Protocol { url, source },
        }
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
        let deadline = tokio::time::Instant::now() + limit;
        let mut timer = self
            .timer
            .take()
            .unwrap_or_else(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() > deadline {
            timer.as_mut().reset(deadline);
        }
        let received = loop {
            tokio::select! {
                biased;
                next = self.next() => match next {
                    // Answered by tungstenite; the wait goes on, to the same deadline.
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                    Some(Ok(message)) => break Ok(message),
                    Some(Err(error)) => break Err(error),
                    None => break Err(WsError::Closed { url: self.url.clone() }),
                },
                () = timer.as_mut() => {
                    if tokio::time::Instant::now() >= deadline {
                        break Err(WsError::RecvTimeout { url: self.url.clone(), after: limit });
                    }
                    // Set for an earlier message's deadline: on to this one's.
                    timer.as_mut().reset(deadline);
                }
            }
        };
        self.timer = Some(timer);
        received
    }

    /// How long [`recv`](Self::recv) and the `recv_*` helpers wait for a message.
    pub fn set_recv_timeout(&mut self, timeout: std::time::Duration) {
        self.recv_timeout = timeout;
    }

    /// Receives the next message, which must be text.
    pub async fn recv_text(&mut self) -> Result<String, WsError> {
        match self.recv().await? {
            Message::Text(text) => Ok(text.as_str().to_owned()),
            other => Err(self.unexpected("text", &other)),
        }
    }

    /// Receives the next message, which must be binary.
    pub async fn recv_binary(&mut self) -> Result<bytes::Bytes, WsError> {
        match self.recv().await? {
            Message::Binary(data) => Ok(data),
            other => Err(self.unexpected("binary", &other)),
        }
    }

    /// What a receiver awaiting `expected` says of `got`.
    fn unexpected(&self, expected: &'static str, got: &Message) -> WsError {
        let url = self.url.clone();
        match got {
            Message::Close(_) => WsError::Closed { url },
            other => WsError::Unexpected {
                url,
                expected,
                got: describe(other),
            },
        }
    }

    /// Closes the connection cleanly.
    pub async fn close(mut self) -> Result<(), WsError> {
        match self.inner.close(None).await {
            Ok(())
            | Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Ok(())
            }
            Err(error) => Err(self.error(error)),
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
        polled.map(|item| item.map(|result| result.map_err(|e| self.error(e))))
    }
}

impl Sink<Message> for WebSocket {
    type Error = WsError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<(), WsError>> {
        let polled = self.inner.poll_ready_unpin(cx);
        polled.map_err(|e| self.error(e))
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<(), WsError> {
        let bytes = payload_len(&message);
        self.inner
            .start_send_unpin(message)
            .map_err(|e| self.error(e))?;
        if let Some(bytes) = bytes {
            self.rec.with(|stats| {
                stats.websockets.messages_sent += 1;
                stats.websockets.bytes_sent += bytes;
            });
        }
        Ok(())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<(), WsError>> {
        let polled = self.inner.poll_flush_unpin(cx);
        polled.map_err(|e| self.error(e))
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<(), WsError>> {
        let polled = self.inner.poll_close_unpin(cx);
        polled.map_err(|e| self.error(e))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// A WebSocket server for one client that reads and never answers, but for an echo of the
    /// first message with `echo_first`.
    async fn silent_peer(echo_first: bool) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(socket).await.unwrap();
            if echo_first && let Some(Ok(message)) = ws.next().await {
                let _ = ws.send(message).await;
            }
            while let Some(Ok(_)) = ws.next().await {}
        });
        addr
    }

    #[tokio::test]
    async fn a_silent_peer_times_out_and_messages_are_counted() {
        let addr = silent_peer(false).await;
        let rec = Recorder::new();
        let mut ws = WebSocket::connect(&format!("ws://{addr}/"), rec.clone(), None, 1 << 20)
            .await
            .unwrap();
        ws.send_text("hello").await.unwrap();
        ws.set_recv_timeout(Duration::from_millis(200));
        let started = Instant::now();
        let error = ws.recv_text().await.unwrap_err();
        assert!(matches!(error, WsError::RecvTimeout { .. }), "{error}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("websocket ws://{addr}/: no message within")),
            "{error}"
        );
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

    /// The receive timer is armed once: a wait after an earlier message still gets its whole
    /// timeout, and a shorter timeout set later is kept.
    #[tokio::test]
    async fn each_receive_gets_its_whole_timeout_from_a_timer_armed_once() {
        let addr = silent_peer(true).await;
        let mut ws = WebSocket::connect(&format!("ws://{addr}/"), Recorder::new(), None, 1 << 20)
            .await
            .unwrap();
        ws.set_recv_timeout(Duration::from_millis(400));
        ws.send_text("once").await.unwrap();
        assert_eq!(ws.recv_text().await.unwrap(), "once");
        tokio::time::sleep(Duration::from_millis(250)).await;
        // The timer still points at the first receive's deadline, 150 ms from now.
        let started = Instant::now();
        let error = ws.recv_text().await.unwrap_err();
        let waited = started.elapsed();
        assert!(matches!(error, WsError::RecvTimeout { .. }), "{error}");
        assert!(waited >= Duration::from_millis(400), "waited {waited:?}");
        assert!(waited < Duration::from_secs(2), "waited {waited:?}");
        ws.set_recv_timeout(Duration::from_millis(100));
        let started = Instant::now();
        assert!(ws.recv_text().await.is_err());
        let waited = started.elapsed();
        assert!(
            (Duration::from_millis(100)..Duration::from_millis(390)).contains(&waited),
            "a shorter timeout is kept: waited {waited:?}"
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
        let error = WebSocket::connect(&url, Recorder::new(), None, 1 << 20)
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

    #[tokio::test]
    async fn a_message_over_the_limit_is_refused_naming_the_url() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(socket).await.unwrap();
            let _ = ws.send(Message::binary(vec![7u8; 4096])).await;
            let _ = ws.send(Message::binary(vec![7u8; 1024])).await;
        });
        let url = format!("ws://{addr}/big");
        let mut ws = WebSocket::connect(&url, Recorder::new(), None, 1024)
            .await
            .unwrap();
        let error = ws.recv_binary().await.unwrap_err();
        assert!(
            matches!(
                error,
                WsError::TooLarge {
                    size: 4096,
                    limit: 1024,
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error.to_string().starts_with(&format!(
                "websocket {url}: a message of 4096 bytes is over the 1024 a user takes (--body-limit)"
            )),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_reset_mid_conversation_names_the_url() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(socket).await.unwrap();
            let _ = ws.next().await;
            // A close with no closing handshake, and an RST rather than a FIN.
            let socket = ws.into_inner();
            socket.set_zero_linger().unwrap();
            drop(socket);
        });
        let url = format!("ws://{addr}/chat");
        let mut ws = WebSocket::connect(&url, Recorder::new(), None, 1 << 20)
            .await
            .unwrap();
        ws.send_text("hello").await.unwrap();
        let error = ws.recv_text().await.unwrap_err();
        assert!(matches!(error, WsError::Protocol { .. }), "{error}");
        assert!(
            error.to_string().starts_with(&format!("websocket {url}: ")),
            "{error}"
        );
    }
}
