//! The load tests the benchmark runs (`bench/run.sh`); ignored under a plain `cargo test`, since
//! they need its servers.

use std::time::Duration;

use loadcase::prelude::*;

/// One GET of the server's root per hit: what every peer in the benchmark does.
#[load_test]
#[ignore = "run by bench/run.sh through cargo loadrun"]
async fn get(cx: &mut Context) -> TestResult {
    cx.app.get("/").await?;
    Ok(())
}

/// Nothing at all: the engine's own cost per hit, and how fast users start.
#[load_test]
#[ignore = "run by bench/run.sh through cargo loadrun"]
async fn noop(_cx: &mut Context) -> TestResult {
    Ok(())
}

/// One long idle hit per user (a session and cookie jar each, no connection): memory per idle
/// user.
#[load_test]
#[ignore = "run by bench/run.sh through cargo loadrun"]
async fn idle(_cx: &mut Context) -> TestResult {
    tokio::time::sleep(Duration::from_secs(6)).await;
    Ok(())
}

/// The `layers` part: the same GET through the user's reqwest client directly, nothing recorded
/// (the engine and reqwest with loadcase's settings: what `cx.session` cost before its lean
/// plain-HTTP path).
#[load_test]
#[ignore = "run by bench/run.sh through cargo loadrun"]
async fn layer_reqwest(cx: &mut Context) -> TestResult {
    let url = cx
        .app
        .server_url()
        .expect("run with --server-url")
        .to_owned();
    let response = cx.session.client().get(url).send().await?;
    response.bytes().await?;
    Ok(())
}

/// The `layers` part: the same GET through `cx.session`, recorded: its lean plain-HTTP path
/// (hyper-util's client) and its recording.
#[load_test]
#[ignore = "run by bench/run.sh through cargo loadrun"]
async fn layer_session(cx: &mut Context) -> TestResult {
    let url = cx
        .app
        .server_url()
        .expect("run with --server-url")
        .to_owned();
    cx.session.get(url).send().await?;
    Ok(())
}

/// The `soak` part: a GET of the healthy server (`--server-url`) per hit, except in every other
/// five-second window, when it goes to one of the faults' servers in turn (`SOAK_FAULTS`, from
/// `soak-server`): a body read to its end, or for a `ws://` fault a two-message conversation.
#[load_test]
#[ignore = "run by bench/run.sh through cargo loadrun"]
async fn soak(cx: &mut Context) -> TestResult {
    let healthy = cx
        .app
        .server_url()
        .expect("run with --server-url")
        .to_owned();
    let faults = std::env::var("SOAK_FAULTS").unwrap_or_default();
    let faults: Vec<&str> = faults.split(',').filter(|f| !f.is_empty()).collect();
    let window = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 5);
    let target = match faults.len() {
        n if n > 0 && window % 2 == 1 => faults[(window / 2) as usize % n].to_owned(),
        _ => healthy,
    };
    if target.starts_with("ws") {
        let mut ws = cx.ws(&target).await?;
        for message in ["one", "two"] {
            ws.send_text(message).await?;
            ws.recv_text().await?;
        }
        return Ok(());
    }
    let response = cx.session.get(format!("{target}/soak")).send().await?;
    response.bytes().await?;
    Ok(())
}

/// The `ws` part: one WebSocket per hit to the server URL's `/ws` (an echo server), and
/// `WS_MESSAGES` (100) text messages sent on it, each echo read before the next is sent.
#[load_test]
#[ignore = "run by bench/run.sh through cargo loadrun"]
async fn ws_echo(cx: &mut Context) -> TestResult {
    let base = cx.app.server_url().expect("run with --server-url");
    let url = format!("{}/ws", base.replacen("http", "ws", 1));
    let messages: u32 = std::env::var("WS_MESSAGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let mut ws = cx.ws(url).await?;
    for _ in 0..messages {
        ws.send_text("hello").await?;
        ws.recv_text().await?;
    }
    ws.close().await?;
    Ok(())
}
