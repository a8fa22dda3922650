//! Load tests that the end-to-end tests of faults (`e2e/faults.rs`, `e2e/tls.rs`) run through the
//! real `cargo loadrun` against a hostile server given with `--server-url`, so under a plain
//! `cargo test` they are ignored.

use loadcase::prelude::*;
use loadcase::reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

/// `path` on the server of `--server-url`.
fn at(cx: &Context, path: &str) -> String {
    let base = cx
        .app
        .server_url()
        .expect("the e2e tests pass --server-url");
    format!("{}{path}", base.trim_end_matches('/'))
}

/// One GET per hit with its body read: whatever the server does wrong is the hit's error.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn fetch(cx: &mut Context) -> TestResult {
    let url = at(cx, "/fault");
    cx.session.get(url).send().await?.bytes().await?;
    Ok(())
}

/// A WebSocket conversation of three echoed messages, on `/ws` of the server (`ws://` for
/// `http://`, `wss://` for `https://`).
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn conversation(cx: &mut Context) -> TestResult {
    let url = at(cx, "/ws").replacen("http", "ws", 1);
    let mut ws = cx.ws(url).await?;
    for message in ["one", "two", "three"] {
        ws.send_text(message).await?;
        assert_eq!(ws.recv_text().await?, message);
    }
    ws.close().await?;
    Ok(())
}

/// A binary message awaited from `/ws`: the server's frame may be too large to take.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn big_message(cx: &mut Context) -> TestResult {
    let url = at(cx, "/ws").replacen("http", "ws", 1);
    let mut ws = cx.ws(url).await?;
    ws.recv_binary().await?;
    Ok(())
}

/// Sends one request each way a reqwest test can give an `Authorization` header besides the
/// URL's credentials, through `$client` (the session's builder and reqwest's have the same
/// methods, not the same types).
macro_rules! four_ways {
    ($client:expr, $url:expr, $headers:expr) => {{
        $client.get($url("url")).send().await?;
        $client
            .get($url("header"))
            .header(AUTHORIZATION, "Bearer in-a-header")
            .send()
            .await?;
        $client
            .get($url("bearer"))
            .bearer_auth("token")
            .send()
            .await?;
        $client
            .get($url("headers"))
            .headers($headers)
            .send()
            .await?;
    }};
}

/// Credentials in the URL and an `Authorization` header of the request's own, through the
/// session and through reqwest itself (`client()`, not recorded) to the same server: its count
/// of `Authorization` headers per path says what each sent. Over `http://` the session takes
/// its lean path, over `https://` reqwest's.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn authorization(cx: &mut Context) -> TestResult {
    let with_credentials = at(cx, "").replacen("://", "://ann:secret@", 1);
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer in-a-map"));
    let session_url = |way: &str| format!("{with_credentials}/session/{way}");
    four_ways!(cx.session, session_url, headers.clone());
    let reqwest_url = |way: &str| format!("{with_credentials}/reqwest/{way}");
    four_ways!(cx.session.client(), reqwest_url, headers);
    // `cx.app` builds its plain requests without reqwest's builder; the credentials of its
    // server URL still go out as reqwest sends them.
    cx.app.set_server_url(format!("{with_credentials}/app"));
    cx.app.get("/url").await?;
    Ok(())
}
