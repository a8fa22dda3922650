//! Load tests that the end-to-end tests run through the real `cargo loadrun`. Each targets the
//! server given with `--server-url` (a counting server the e2e test starts on loopback), so under
//! a plain `cargo test` they are ignored.

use std::time::Duration;

use loadcase::prelude::*;

fn base(cx: &Context) -> String {
    cx.app
        .server_url()
        .expect("the e2e tests pass --server-url")
        .trim_end_matches('/')
        .to_owned()
}

/// One GET per hit.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn get(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

/// Logs in on its first hit; every hit then checks that the cookie names this very user.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn cookies(cx: &mut Context) -> TestResult {
    let user = format!("user{}", cx.user());
    if cx.hit() == 0 {
        cx.app
            .post("/login")
            .form(&[("user", user.as_str())])
            .await?;
    }
    let me = cx.app.get("/whoami").await?;
    assert_eq!(me.text(), user, "a user saw another user's cookie");
    Ok(())
}

/// One hit in five succeeds; the others fail by assert, by status, by `fail!`, or error.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn outcomes(cx: &mut Context) -> TestResult {
    match cx.hit() % 5 {
        0 => {
            cx.app.get("/es").await?;
        }
        1 => assert_eq!(cx.hit() % 5, 0, "deliberate assertion failure"),
        2 => {
            cx.app.get("/status/503").await?;
        }
        3 => {
            std::fs::read("/nonexistent/loadcase-e2e")?;
        }
        _ => loadcase::fail!("deliberate fail! of hit {}", cx.hit() % 5),
    }
    Ok(())
}

/// A WebSocket echo: two messages each way per hit, on the server's /ws.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn websocket(cx: &mut Context) -> TestResult {
    let url = format!("{}/ws", base(cx).replacen("http://", "ws://", 1));
    let mut ws = cx.ws(url).await?;
    ws.send_text("something").await?;
    assert_eq!(ws.recv_text().await?, "something");
    ws.send_binary(vec![0u8; 100]).await?;
    assert_eq!(ws.recv_binary().await?.len(), 100);
    ws.close().await?;
    Ok(())
}

/// The attribute's URL points at a closed port; `--server-url` or `LOADCASE_SERVER_URL` win.
#[load_test(server_url = "http://127.0.0.1:9")]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn attribute_url(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

/// An unreachable server and a malformed URL: errors, and the run goes on.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn unreachable(cx: &mut Context) -> TestResult {
    if cx.hit().is_multiple_of(2) {
        cx.session.get("http://127.0.0.1:9/").send().await?;
    } else {
        cx.session.get("not a url").send().await?;
    }
    Ok(())
}

/// Slow requests, for duration mode and Ctrl-C.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn slow(cx: &mut Context) -> TestResult {
    cx.app.get("/slow/50").await?;
    Ok(())
}

/// One GET per hit to a path that names its user (`/row/{user}`), so that the server counts
/// each user's requests apart: users are numbered across stages, so this tells stages apart.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn numbered(cx: &mut Context) -> TestResult {
    cx.app.get(&format!("/row/{}", cx.user())).await?;
    Ok(())
}

/// Holds its worker thread in `std::thread::sleep` for 600 ms each hit: more than two ticks of
/// the engine's watch, so that every hit is seen as a stall.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn blocking(_cx: &mut Context) -> TestResult {
    std::thread::sleep(Duration::from_millis(600));
    Ok(())
}

/// Prints on both streams every hit: the side channel must not care.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn noisy(cx: &mut Context) -> TestResult {
    println!("Hits: 999999 (a user's print that looks like the summary)");
    eprintln!("noise on stderr from hit {}", cx.hit());
    cx.app.get("/es").await?;
    Ok(())
}

/// Works for a while, then the process dies: the runner must say so and keep what it got.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn crash(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    tokio::time::sleep(Duration::from_millis(20)).await;
    if cx.user() == 0 && cx.hit() == 100 {
        eprintln!("fixture: aborting on purpose");
        std::process::abort();
    }
    Ok(())
}

/// One GET per hit, 10 ms apart per user, until `LOADCASE_E2E_CRASH_AFTER_MS` after the first
/// hit began; then the process dies as `LOADCASE_E2E_CRASH` says: `exit` (code 3), `abort`, or
/// `overflow` (a stack overflow).
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn crash_on_timer(cx: &mut Context) -> TestResult {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let start = *START.get_or_init(std::time::Instant::now);
    let after = std::env::var("LOADCASE_E2E_CRASH_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::MAX, Duration::from_millis);
    if start.elapsed() >= after {
        let how = std::env::var("LOADCASE_E2E_CRASH").unwrap_or_default();
        eprintln!("fixture: crashing by {how}");
        match how.as_str() {
            "exit" => std::process::exit(3),
            "overflow" => {
                overflow(0);
            }
            _ => std::process::abort(),
        }
    }
    paced(cx).await
}

/// One GET, then 10 ms of rest; the first hit says so on stderr, for the tests that wait for the
/// load to run before they signal it.
async fn paced(cx: &mut Context) -> TestResult {
    if cx.user() == 0 && cx.hit() == 0 {
        eprintln!("fixture: loading");
    }
    cx.app.get("/es").await?;
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}

/// Paced GETs until the process is signalled.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn steady(cx: &mut Context) -> TestResult {
    paced(cx).await
}

/// User 0 blocks its thread for a minute in its first hit; the others send paced GETs (on the
/// other worker thread, with `LOADCASE_WORKER_THREADS=2`): a stop cannot end the run quickly,
/// and a second Ctrl-C kills a binary that has measured something.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn half_stuck(cx: &mut Context) -> TestResult {
    if cx.user() == 0 {
        eprintln!("fixture: stuck");
        std::thread::sleep(Duration::from_secs(60));
        return Ok(());
    }
    paced(cx).await
}

/// Recurses until the stack is gone; the frame is big and used, so it cannot be optimized away.
#[inline(never)]
#[allow(unconditional_recursion, reason = "it is meant to overflow")]
fn overflow(depth: u64) -> u64 {
    let frame = [depth; 512];
    std::hint::black_box(&frame);
    overflow(depth + 1) + frame[depth as usize % 512]
}

/// A plain test in the same target, which `cargo loadrun` must refuse to load-run.
#[test]
#[ignore = "run through cargo loadrun by the e2e tests"]
fn not_a_load_test() {}

/// Fails under `cargo test`: the functional-mode tests check how that reads.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn always_fails(cx: &mut Context) -> TestResult {
    let page = cx.app.get("/").await?;
    assert!(
        page.text().contains("no such words"),
        "the page lacks the words"
    );
    Ok(())
}

/// Errors under `cargo test`: the error names the line of the `?`.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn always_errors(_cx: &mut Context) -> TestResult {
    std::fs::read("/nonexistent/loadcase-e2e")?;
    Ok(())
}

/// Never finishes in time: awaits for a minute.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn sleepy(_cx: &mut Context) -> TestResult {
    tokio::time::sleep(Duration::from_secs(60)).await;
    Ok(())
}

/// Blocks its thread for a minute: only killing the process ends it early.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn stuck(_cx: &mut Context) -> TestResult {
    eprintln!("fixture: stuck");
    std::thread::sleep(Duration::from_secs(60));
    Ok(())
}

/// Prints a flood of lines, one of them a bare `ok`, on every hit.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn chatty(cx: &mut Context) {
    println!("ok");
    for line in 0..200 {
        println!("chatter {line} of hit {} of user {}", cx.hit(), cx.user());
    }
}

/// Never yields to the runtime: a busy loop for a minute.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn spin(_cx: &mut Context) {
    let until = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// One GET per hit, with thresholds of its own that any healthy loopback run meets.
#[load_test(thresholds("p99<10s", "error_rate<1%", "GET /es: ttfb_p99<10s"))]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn with_thresholds(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

/// A threshold that no run can meet.
#[load_test(thresholds("p50<1us"))]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn impossible_threshold(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

/// A malformed threshold: `cargo test` must fail on it, `cargo loadrun` must refuse it.
#[load_test(thresholds("p95<200"))]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn malformed_threshold(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

/// Every other hit gets a 500 while sending secrets, for the request log: credentials in the
/// URL, an Authorization header, a cookie, and a header the run marks secret.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn secrets(cx: &mut Context) -> TestResult {
    let base = base(cx);
    let path = if cx.hit().is_multiple_of(2) {
        "es"
    } else {
        "status/500"
    };
    let url = base.replacen("://", "://ann:pw-in-url@", 1) + "/" + path;
    cx.session
        .get(url)
        .bearer_auth("token-in-header")
        .header("cookie", "session=cookie-value")
        .header("x-api-key", "key-in-custom-header")
        .body("payload")
        .send()
        .await?;
    Ok(())
}

/// Two requests with a think time between them, which the hit's time leaves out.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn thinker(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    cx.think(Duration::from_millis(300)).await;
    cx.app.get("/es").await?;
    Ok(())
}

/// Something of every kind a merge must add up, by the user's hit: a custom counter named by the
/// user (so that a counter lost or doubled across segments shows), a WebSocket echo, a 503, a
/// `fail!`.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn every_kind(cx: &mut Context) -> TestResult {
    cx.incr(&format!("user {}", cx.user() % 4));
    match cx.hit() % 4 {
        0 => {
            cx.app.get("/es").await?;
        }
        1 => {
            let url = format!("{}/ws", base(cx).replacen("http://", "ws://", 1));
            let mut ws = cx.ws(url).await?;
            ws.send_text("something").await?;
            assert_eq!(ws.recv_text().await?, "something");
            ws.close().await?;
        }
        2 => {
            cx.app.get("/status/503").await?;
        }
        _ => loadcase::fail!("deliberate fail! of user {}", cx.user() % 2),
    }
    Ok(())
}
