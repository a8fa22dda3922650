//! The demo server's routes.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Form, Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, delete, get, patch, post, put};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::counts::Counters;

type Shared = Arc<Counters>;

pub(crate) fn router(counts: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/es", get(es))
        .route("/ws", any(ws))
        .route("/login", post(login))
        .route("/whoami", get(whoami))
        .route("/status/{code}", get(status))
        .route("/slow/{ms}", get(slow))
        .route("/_counts", get(counts_json))
        .route("/logout", post(logout))
        .route("/echo", post(echo_body))
        .route("/row/{id}", get(row))
        .route("/redirect/{status}", any(redirect))
        // httpbin's names, so that reqwest's documented examples run as they are written.
        .route("/ip", get(ip))
        .route("/anything", any(anything))
        .route("/get", get(anything))
        .route("/post", post(anything))
        .route("/put", put(anything))
        .route("/patch", patch(anything))
        .route("/delete", delete(anything))
        .route("/range/{n}", get(range))
        .route("/drip/{ms}", get(drip))
        .route("/bytes/{n}", get(bytes))
        .route("/endless", get(endless))
        .route("/truncated", get(truncated))
        .route("/latin1", get(latin1))
        .fallback(|| async { (StatusCode::NOT_FOUND, "no such page") })
        .layer(middleware::from_fn_with_state(counts.clone(), count))
        .with_state(counts)
}

async fn count(State(counts): State<Shared>, request: Request, next: Next) -> Response {
    let upgrade = request.headers().contains_key(header::UPGRADE);
    if request.uri().path() != "/_counts" && !upgrade {
        counts.request(format!("{} {}", request.method(), request.uri().path()));
        if request.version() == axum::http::Version::HTTP_2 {
            counts.http2_requests.fetch_add(1, Ordering::Relaxed);
        }
        // A stall holds every request that arrives during it until it ends.
        let until = *counts.stall_until.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = until {
            tokio::time::sleep_until(until.into()).await;
        }
    }
    next.run(request).await
}

async fn home() -> Html<&'static str> {
    Html(
        "<!doctype html><html><head><title>Demo</title></head><body>\
         <h1>Demo shop</h1><form action=\"/search\"><input name=\"q\"><button>Search</button></form>\
         </body></html>",
    )
}

async fn es() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"name":"demo","cluster_name":"loadcase","version":{"number":"8.0.0"},"tagline":"You Know, for Search"}"#,
    )
}

async fn ws(State(counts): State<Shared>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| echo(socket, counts))
}

async fn echo(mut socket: WebSocket, counts: Shared) {
    counts.ws_opened.fetch_add(1, Ordering::Relaxed);
    while let Some(Ok(message)) = socket.recv().await {
        let len = match &message {
            Message::Text(text) => text.len(),
            Message::Binary(data) => data.len(),
            Message::Close(_) => break,
            _ => continue,
        } as u64;
        counts.ws_messages_received.fetch_add(1, Ordering::Relaxed);
        counts.ws_bytes_received.fetch_add(len, Ordering::Relaxed);
        if socket.send(message).await.is_err() {
            break;
        }
        counts.ws_messages_sent.fetch_add(1, Ordering::Relaxed);
        counts.ws_bytes_sent.fetch_add(len, Ordering::Relaxed);
    }
}

#[derive(Deserialize)]
struct Login {
    user: String,
}

async fn login(State(counts): State<Shared>, Form(form): Form<Login>) -> Response {
    counts.logins.fetch_add(1, Ordering::Relaxed);
    let cookie = format!("session={}; Path=/; HttpOnly", form.user);
    ([(header::SET_COOKIE, cookie)], "logged in").into_response()
}

async fn whoami(headers: HeaderMap) -> Response {
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix("session="))
        .next();
    match session {
        Some(user) => user.to_owned().into_response(),
        None => (StatusCode::UNAUTHORIZED, "not logged in").into_response(),
    }
}

async fn status(Path(code): Path<u16>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, format!("status {code}")).into_response()
}

async fn slow(Path(ms): Path<u64>) -> &'static str {
    tokio::time::sleep(Duration::from_millis(ms.min(60_000))).await;
    "slow"
}

async fn counts_json(State(counts): State<Shared>) -> Response {
    let body = serde_json::to_string(&counts.snapshot()).expect("counts serialize");
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Ends the session of the cookie: what a per-user teardown calls (the middleware counts it).
async fn logout() -> Response {
    let expired = "session=; Path=/; HttpOnly; Max-Age=0";
    ([(header::SET_COOKIE, expired)], "logged out").into_response()
}

/// `POST /echo`: the body back, and the body and headers kept for `/_counts`.
async fn echo_body(State(counts): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let mut kept = BTreeMap::<String, String>::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        kept.entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    {
        let mut echo = counts.echo.lock().unwrap_or_else(|e| e.into_inner());
        echo.requests += 1;
        echo.body_bytes += body.len() as u64;
        echo.last_body = String::from_utf8_lossy(&body).into_owned();
        echo.last_headers = kept;
    }
    body.into_response()
}

/// `GET /row/{id}` answers with the id. The counts key requests by path, so each row a
/// dataset test sends is counted apart (`GET /row/7`).
async fn row(Path(id): Path<String>) -> String {
    id
}

/// `/redirect/{status}`: a redirect with that status (301, 302, 303, 307 or 308) to `/echo` for
/// 307 and 308 (which resend the body) and to `/es` for the others; `/redirect/loop` redirects
/// to itself for ever.
async fn redirect(Path(status): Path<String>) -> Response {
    let (code, to) = match status.as_str() {
        "loop" => (StatusCode::FOUND, "/redirect/loop"),
        "307" => (StatusCode::TEMPORARY_REDIRECT, "/echo"),
        "308" => (StatusCode::PERMANENT_REDIRECT, "/echo"),
        other => match other
            .parse::<u16>()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
        {
            Some(code) if code.is_redirection() => (code, "/es"),
            _ => return (StatusCode::NOT_FOUND, "no such redirect").into_response(),
        },
    };
    (code, [(header::LOCATION, to)]).into_response()
}

/// `GET /ip`: `{"origin": "<the client's IP address>"}`, as httpbin answers it.
async fn ip(ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Json<Value> {
    Json(json!({ "origin": peer.ip().to_string() }))
}

/// `/anything` (any method), `GET /get`, `POST /post`, `PUT /put`, `PATCH /patch`,
/// `DELETE /delete`: the request as httpbin describes it, as JSON: `method`, `url` (path and
/// query), `args` (the query), `headers` (lower-case names), `data` (the body as text), `form`
/// (a URL-encoded body) and `json` (a JSON body, else null). A key given twice in the query or
/// the form has a list of its values.
async fn anything(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Json<Value> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let form = if content_type.starts_with("application/x-www-form-urlencoded") {
        pairs(&String::from_utf8_lossy(&body))
    } else {
        Value::Object(Default::default())
    };
    let json = if content_type.starts_with("application/json") {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let mut names = serde_json::Map::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        match names.get_mut(name.as_str()) {
            Some(Value::String(joined)) => {
                joined.push_str(", ");
                joined.push_str(&value);
            }
            _ => {
                names.insert(name.as_str().to_owned(), Value::String(value.into_owned()));
            }
        }
    }
    Json(json!({
        "method": method.as_str(),
        "url": uri.to_string(),
        "args": pairs(uri.query().unwrap_or("")),
        "headers": names,
        "data": String::from_utf8_lossy(&body),
        "form": form,
        "json": json,
    }))
}

/// URL-encoded pairs as an object; a repeated key's values in a list.
fn pairs(encoded: &str) -> Value {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(encoded).unwrap_or_default();
    let mut object = serde_json::Map::new();
    for (key, value) in pairs {
        match object.remove(&key) {
            None => object.insert(key, Value::String(value)),
            Some(Value::Array(mut values)) => {
                values.push(Value::String(value));
                object.insert(key, Value::Array(values))
            }
            Some(first) => object.insert(key, Value::Array(vec![first, Value::String(value)])),
        };
    }
    Value::Object(object)
}

/// `GET /range/{n}`: `n` bytes of `abcdefghijklmnopqrstuvwxyz`, repeated, as httpbin's.
async fn range(Path(n): Path<usize>) -> Vec<u8> {
    (0..n.min(1 << 20)).map(|i| b'a' + (i % 26) as u8).collect()
}

/// `GET /drip/{ms}`: the status and headers at once, the body's first half (`drip `) too, the
/// rest (`done`) after that many milliseconds: a body that is slow, not a server that is.
async fn drip(Path(ms): Path<u64>) -> Response {
    let delay = Duration::from_millis(ms.min(60_000));
    let parts = futures_util::stream::iter([("drip ", Duration::ZERO), ("done", delay)]).then(
        |(part, after)| async move {
            tokio::time::sleep(after).await;
            Ok::<_, std::io::Error>(part)
        },
    );
    Body::from_stream(parts).into_response()
}

/// `GET /bytes/{n}`: `n` bytes, streamed in chunks of 64 KiB (never held whole here): a body
/// as large as a test wants.
async fn bytes(Path(n): Path<u64>) -> Response {
    const CHUNK: u64 = 64 * 1024;
    let chunk = bytes::Bytes::from(vec![b'x'; CHUNK as usize]);
    let parts = futures_util::stream::iter((0..n.div_ceil(CHUNK)).map(move |i| {
        let len = CHUNK.min(n - i * CHUNK) as usize;
        Ok::<_, std::io::Error>(chunk.slice(..len))
    }));
    Body::from_stream(parts).into_response()
}

/// `GET /endless`: a chunked body that never ends, as fast as the client reads it.
async fn endless() -> Response {
    let chunk = bytes::Bytes::from(vec![b'x'; 64 * 1024]);
    let parts = futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
    Body::from_stream(parts).into_response()
}

/// `GET /truncated`: `200 OK` and part of a chunked body, then the connection is cut: a body
/// that cannot be read in full.
async fn truncated() -> Response {
    let parts = futures_util::stream::iter([Some("partial"), None]).then(|part| async move {
        match part {
            Some(part) => Ok(part),
            // Later, so that the head and the first part go out before the cut.
            None => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(std::io::Error::other("cut off on purpose"))
            }
        }
    });
    Body::from_stream(parts).into_response()
}

/// `GET /latin1`: `café` in ISO-8859-1, and a `Content-Type` that says so.
async fn latin1() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=iso-8859-1")],
        &b"caf\xe9"[..],
    )
        .into_response()
}
