//! The floor for a tokio-based WebSocket load generator: CONNS tasks, each opening a WebSocket,
//! sending PER (100) text messages on it one after another, each echo read before the next is
//! sent, closing it, and again, for SECS seconds, on a current-thread runtime (one core, as
//! loadcase's one worker thread does `bench::ws_echo`). Prints `messages=N` (round trips).
//!
//! usage: raw-ws ws://127.0.0.1:PORT/ws CONNS SECS [PER]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("usage: raw-ws URL CONNS SECS");
    let conns: usize = args.next().map_or(50, |c| c.parse().expect("CONNS"));
    let secs: u64 = args.next().map_or(8, |s| s.parse().expect("SECS"));
    let per: u32 = args.next().map_or(100, |p| p.parse().expect("PER"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let done = Arc::new(AtomicU64::new(0));
    runtime.block_on(async {
        let until = Instant::now() + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for _ in 0..conns {
            let (url, done) = (url.clone(), done.clone());
            tasks.push(tokio::spawn(async move {
                while Instant::now() < until {
                    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
                        .await
                        .expect("connect");
                    for _ in 0..per {
                        ws.send(Message::text("hello")).await.expect("send");
                        match ws.next().await {
                            Some(Ok(Message::Text(_))) => done.fetch_add(1, Ordering::Relaxed),
                            other => panic!("no echo: {other:?}"),
                        };
                    }
                    let _ = ws.close(None).await;
                }
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
    });
    println!("messages={}", done.load(Ordering::Relaxed));
}
