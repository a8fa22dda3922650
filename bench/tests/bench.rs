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
