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
