//! The Mozilla Loads user guide, ported: `cargo test` runs each test once, `cargo loadrun` runs
//! them as load tests. They target the demo server, which they start in this process on first
//! use, so they need no outside service:
//!
//! ```text
//! cargo loadrun example::test_es -u 100 -c 10
//! cargo loadrun example::test_ws -u 50 -d 10s
//! cargo loadrun example::test_app --server-url http://127.0.0.1:8080   # against your own server
//! ```

use loadcase::prelude::*;
use loadcase_examples::shared as demo;

/// One GET per hit, as the guide's Elasticsearch example.
#[load_test]
async fn test_es(cx: &mut Context) -> TestResult {
    cx.session.get(demo().url("/es")).send().await?;
    Ok(())
}

/// A WebSocket echo, two round trips per hit.
#[load_test]
async fn test_ws(cx: &mut Context) -> TestResult {
    let mut ws = cx.ws(demo().ws_url()).await?;
    ws.send_text("something").await?;
    assert_eq!(ws.recv_text().await?, "something");
    ws.send_text("happened").await?;
    assert_eq!(ws.recv_text().await?, "happened");
    ws.close().await?;
    Ok(())
}

/// The app at the server URL: `--server-url`, `LOADCASE_SERVER_URL`, or else the demo server.
#[load_test]
async fn test_app(cx: &mut Context) -> TestResult {
    if cx.app.server_url().is_none() {
        cx.app.set_server_url(demo().url("/"));
    }
    let page = cx.app.get("/").await?;
    assert!(page.text().contains("Search"));
    cx.incr("pages");
    Ok(())
}

/// A session that logs in once per virtual user and stays logged in through its cookie.
#[load_test]
async fn test_login(cx: &mut Context) -> TestResult {
    let server = demo();
    if cx.hit() == 0 {
        let user = format!("user{}", cx.user());
        cx.session
            .post(server.url("/login"))
            .form(&[("user", user)])
            .send()
            .await?;
    }
    let me = cx.session.get(server.url("/whoami")).send().await?;
    assert_eq!(me.status(), 200, "the session cookie was not kept");
    assert_eq!(me.text().await?, format!("user{}", cx.user()));
    Ok(())
}

/// Requests named for grouping, and a status the test expects.
#[load_test]
async fn test_named(cx: &mut Context) -> TestResult {
    let server = demo();
    cx.session
        .get(server.url(&format!("/status/{}", 200 + cx.hit() % 2)))
        .name("GET /status/:code")
        .send()
        .await?;
    cx.app.set_server_url(server.url("/"));
    cx.app.get("/status/404").expect_status(404).await?;
    Ok(())
}

/// A plain function returning `()`: a panic is the failure.
#[load_test]
async fn plain(cx: &mut Context) {
    let r = cx.session.get(demo().url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

/// Ordinary tests keep working beside load tests.
#[test]
fn ordinary_tests_still_run() {
    assert_eq!(demo().url("/x").rsplit('/').next(), Some("x"));
}

#[tokio::test]
async fn tokio_tests_still_run() {
    let body = reqwest_free_get(&demo().url("/es")).await;
    assert!(body.contains("You Know, for Search"));
}

async fn reqwest_free_get(url: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).await.unwrap();
    body
}

/// Does nothing: `cargo loadrun example::noop -u 10000` shows how fast 10,000 users start.
#[load_test]
async fn noop(_cx: &mut Context) {}
