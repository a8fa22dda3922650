//! reqwest's idioms, written as reqwest 0.13's README and API docs write them, with `cx.session`
//! in place of `client`, `loadcase::reqwest` in place of the `reqwest` crate, and the URLs at
//! the demo server, which answers to httpbin's names (`/ip`, `/post`, `/range/26`, …). Each is
//! a hit run by the engine; the test checks that it succeeded, what the session recorded, and
//! what the server received.
//!
//! The last tests send the same exchanges once through loadcase's lean HTTP/1.1 path and once
//! through reqwest (a streamed body sends a request there), and compare every accessor of what
//! came back, errors included.

use std::collections::HashMap;
use std::time::Duration;

use loadcase::reqwest::header::{self, USER_AGENT};
use loadcase::reqwest::{Body, StatusCode, Version};
use loadcase::{Context, Control, Plan, Report, Response, Test, TestResult};
use loadcase_examples::{Counts, DemoServer};
use serde::Deserialize;
use serde_json::{Value, json};

/// Runs `test` as one hit of one user against a fresh demo server (the server URL of
/// `cx.app`, which [`url`] reads), checks that the hit succeeded, and returns the report and
/// what the server received.
fn once(test: Test) -> (Report, Counts) {
    once_on(&DemoServer::start_local(), None, test)
}

/// [`once`] against `server`, trusting the certificate in the PEM file `ca_cert`.
fn once_on(
    server: &DemoServer,
    ca_cert: Option<std::path::PathBuf>,
    test: Test,
) -> (Report, Counts) {
    let mut plan = Plan::parse(Some("1"), Some("1"), None).unwrap();
    plan.ca_cert = ca_cert;
    let report = loadcase::run(
        &test.server_url(server.url("")),
        &plan,
        &Control::default(),
        &mut |_, _| {},
    );
    assert_eq!(
        report.stats.hits.success, 1,
        "the hit did not succeed: {:#?}",
        report.stats.problems
    );
    (report, server.counts())
}

/// The demo server's URL for `path`.
fn url(cx: &Context, path: &str) -> String {
    format!("{}{path}", cx.app.server_url().expect("a server URL"))
}

/// `name`'s request count and errors, as the session recorded them.
fn recorded(report: &Report, name: &str) -> (u64, u64) {
    let stats = &report.stats.requests[name];
    (stats.count, stats.errors)
}

// ---- Making a GET request (the crate's documentation) ----

async fn get_text(cx: &mut Context) -> TestResult {
    let body = cx
        .session
        .get(url(cx, "/range/26"))
        .send()
        .await?
        .text()
        .await?;

    println!("body = {body:?}");
    assert_eq!(body, "abcdefghijklmnopqrstuvwxyz");
    Ok(())
}

#[test]
fn a_get_and_its_text() {
    let (report, counts) = once(Test::new("get_text", get_text));
    assert_eq!(counts.by_route["GET /range/26"], 1);
    assert_eq!(recorded(&report, "GET /range/26"), (1, 0));
    assert_eq!(report.stats.requests["GET /range/26"].bytes_received, 26);
}

// ---- The README's example ----

async fn readme(cx: &mut Context) -> TestResult {
    let resp = cx
        .session
        .get(url(cx, "/ip"))
        .send()
        .await?
        .json::<HashMap<String, String>>()
        .await?;
    println!("{resp:#?}");
    assert_eq!(resp["origin"], "127.0.0.1");
    Ok(())
}

#[test]
fn the_readme_example_reads_json_into_a_map() {
    let (report, counts) = once(Test::new("readme", readme));
    assert_eq!(counts.by_route["GET /ip"], 1);
    assert_eq!(recorded(&report, "GET /ip"), (1, 0));
}

// ---- Response::json's example: a typed body ----

#[derive(Deserialize)]
struct Ip {
    origin: String,
}

async fn typed_json(cx: &mut Context) -> TestResult {
    let ip = cx
        .session
        .get(url(cx, "/ip"))
        .send()
        .await?
        .json::<Ip>()
        .await?;

    println!("ip: {}", ip.origin);
    assert_eq!(ip.origin, "127.0.0.1");
    Ok(())
}

#[test]
fn json_deserializes_into_a_struct() {
    let (_, counts) = once(Test::new("typed_json", typed_json));
    assert_eq!(counts.by_route["GET /ip"], 1);
}

// ---- Making POST requests (or setting request bodies) ----

async fn post_body(cx: &mut Context) -> TestResult {
    let res = cx
        .session
        .post(url(cx, "/post"))
        .body("the exact body that is sent")
        .send()
        .await?;
    assert_eq!(res.status(), 200);
    let echoed: Value = res.json().await?;
    assert_eq!(echoed["data"], "the exact body that is sent");
    assert_eq!(echoed["headers"]["content-length"], "27");
    Ok(())
}

#[test]
fn a_post_sends_the_exact_body() {
    let (report, counts) = once(Test::new("post_body", post_body));
    assert_eq!(counts.by_route["POST /post"], 1);
    assert_eq!(report.stats.requests["POST /post"].bytes_sent, 27);
}

// ---- Forms ----

async fn form(cx: &mut Context) -> TestResult {
    // This will POST a body of `foo=bar&baz=quux`
    let params = [("foo", "bar"), ("baz", "quux")];
    let res = cx
        .session
        .post(url(cx, "/post"))
        .form(&params)
        .send()
        .await?;
    let echoed: Value = res.json().await?;
    assert_eq!(echoed["data"], "foo=bar&baz=quux");
    assert_eq!(echoed["form"], json!({"foo": "bar", "baz": "quux"}));
    assert_eq!(
        echoed["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );
    Ok(())
}

#[test]
fn a_form_is_url_encoded() {
    let (_, counts) = once(Test::new("form", form));
    assert_eq!(counts.by_route["POST /post"], 1);
}

// ---- JSON ----

async fn post_json(cx: &mut Context) -> TestResult {
    // This will POST a body of `{"lang":"rust","body":"json"}`
    let mut map = HashMap::new();
    map.insert("lang", "rust");
    map.insert("body", "json");

    let res = cx.session.post(url(cx, "/post")).json(&map).send().await?;
    let echoed: Value = res.json().await?;
    assert_eq!(echoed["json"], json!({"lang": "rust", "body": "json"}));
    assert_eq!(echoed["headers"]["content-type"], "application/json");
    Ok(())
}

#[test]
fn json_bodies_are_sent_with_their_content_type() {
    let (_, counts) = once(Test::new("post_json", post_json));
    assert_eq!(counts.by_route["POST /post"], 1);
}

// ---- RequestBuilder::query ----

async fn query(cx: &mut Context) -> TestResult {
    // Calling `.query(&[("foo", "a"), ("foo", "b")])` gives `"foo=a&foo=b"`.
    let res = cx
        .session
        .get(url(cx, "/get"))
        .query(&[("foo", "a"), ("foo", "b")])
        .query(&[("lang", "rust")])
        .send()
        .await?;
    assert_eq!(res.url().query(), Some("foo=a&foo=b&lang=rust"));
    let echoed: Value = res.json().await?;
    assert_eq!(echoed["args"], json!({"foo": ["a", "b"], "lang": "rust"}));
    Ok(())
}

#[test]
fn query_parameters_append_and_the_request_name_leaves_them_out() {
    let (report, counts) = once(Test::new("query", query));
    assert_eq!(counts.by_route["GET /get"], 1);
    assert_eq!(recorded(&report, "GET /get"), (1, 0));
}

// ---- Headers (ClientBuilder::default_headers' map, per request) and authentication ----

async fn headers(cx: &mut Context) -> TestResult {
    let mut headers = header::HeaderMap::new();
    headers.insert("X-MY-HEADER", header::HeaderValue::from_static("value"));

    let res = cx
        .session
        .get(url(cx, "/get"))
        .header(USER_AGENT, "My Rust Program 1.0")
        .headers(headers)
        .send()
        .await?;
    let echoed: Value = res.json().await?;
    assert_eq!(echoed["headers"]["user-agent"], "My Rust Program 1.0");
    assert_eq!(echoed["headers"]["x-my-header"], "value");
    assert_eq!(echoed["headers"]["accept"], "*/*");
    Ok(())
}

#[test]
fn headers_are_sent_and_a_user_agent_of_ones_own_wins() {
    let (_, counts) = once(Test::new("headers", headers));
    assert_eq!(counts.by_route["GET /get"], 1);
}

async fn basic_auth(cx: &mut Context) -> TestResult {
    let resp = cx
        .session
        .delete(url(cx, "/delete"))
        .basic_auth("admin", Some("good password"))
        .send()
        .await?;
    let echoed: Value = resp.json().await?;
    assert_eq!(
        echoed["headers"]["authorization"],
        "Basic YWRtaW46Z29vZCBwYXNzd29yZA=="
    );
    let resp = cx
        .session
        .put(url(cx, "/put"))
        .bearer_auth("secret-token")
        .send()
        .await?;
    let echoed: Value = resp.json().await?;
    assert_eq!(echoed["headers"]["authorization"], "Bearer secret-token");
    Ok(())
}

#[test]
fn basic_and_bearer_authentication() {
    let (_, counts) = once(Test::new("basic_auth", basic_auth));
    assert_eq!(counts.by_route["DELETE /delete"], 1);
    assert_eq!(counts.by_route["PUT /put"], 1);
}

// ---- The body readers ----

async fn body_readers(cx: &mut Context) -> TestResult {
    // Response::bytes
    let bytes = cx
        .session
        .get(url(cx, "/range/26"))
        .send()
        .await?
        .bytes()
        .await?;

    println!("bytes: {bytes:?}");
    assert_eq!(&bytes[..], b"abcdefghijklmnopqrstuvwxyz");

    // Response::chunk
    let mut res = cx.session.get(url(cx, "/drip/10")).send().await?;

    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await? {
        println!("Chunk: {chunk:?}");
        body.extend_from_slice(&chunk);
    }
    assert_eq!(body, b"drip done");

    // Response::text_with_charset
    let content = cx
        .session
        .get(url(cx, "/range/26"))
        .send()
        .await?
        .text_with_charset("utf-8")
        .await?;

    println!("text: {content:?}");
    assert_eq!(content.len(), 26);

    // text() decodes by the charset the response names.
    let latin1 = cx.session.get(url(cx, "/latin1")).send().await?;
    assert_eq!(latin1.content_length(), Some(4));
    assert_eq!(latin1.text().await?, "café");

    // content_length is the body's length as the head told it, not the header itself.
    let res = cx.session.get(url(cx, "/range/26")).send().await?;
    assert_eq!(res.content_length(), Some(26));
    let res = cx.session.head(url(cx, "/range/26")).send().await?;
    assert_eq!(res.headers()[header::CONTENT_LENGTH], "26");
    assert_eq!(res.content_length(), Some(0));
    let res = cx.session.get(url(cx, "/drip/0")).send().await?;
    assert_eq!(res.content_length(), None, "a chunked body");
    Ok(())
}

#[test]
fn bytes_chunks_text_and_content_length() {
    let (report, counts) = once(Test::new("body_readers", body_readers));
    assert_eq!(counts.by_route["GET /range/26"], 3);
    assert_eq!(counts.by_route["HEAD /range/26"], 1);
    assert_eq!(counts.by_route["GET /drip/10"], 1);
    assert_eq!(recorded(&report, "GET /latin1"), (1, 0));
}

// ---- Response::error_for_status and error_for_status_ref ----

fn on_response(res: Response) {
    match res.error_for_status() {
        Ok(_res) => (),
        Err(err) => {
            // asserting a 400 as an example
            // it could be any status between 400...599
            assert_eq!(
                err.status(),
                Some(loadcase::reqwest::StatusCode::BAD_REQUEST)
            );
        }
    }
}

fn on_response_ref(res: &Response) {
    match res.error_for_status_ref() {
        Ok(_res) => (),
        Err(err) => {
            // asserting a 400 as an example
            // it could be any status between 400...599
            assert_eq!(
                err.status(),
                Some(loadcase::reqwest::StatusCode::BAD_REQUEST)
            );
        }
    }
}

async fn error_for_status(cx: &mut Context) -> TestResult {
    on_response(cx.session.get(url(cx, "/status/400")).send().await?);
    let res = cx.session.get(url(cx, "/status/400")).send().await?;
    on_response_ref(&res);
    let err = res.error_for_status_ref().unwrap_err();
    assert!(err.is_status());
    assert_eq!(
        err.to_string(),
        format!(
            "HTTP status client error (400 Bad Request) for url ({})",
            url(cx, "/status/400")
        )
    );
    assert_eq!(
        res.text().await?,
        "status 400",
        "the _ref kept the response"
    );
    // A success passes through.
    let ok = cx
        .session
        .get(url(cx, "/status/201"))
        .send()
        .await?
        .error_for_status()?;
    assert_eq!(ok.status(), StatusCode::CREATED);
    Ok(())
}

#[test]
fn error_for_status_turns_4xx_into_an_error_with_its_status() {
    let (report, counts) = once(Test::new("error_for_status", error_for_status));
    assert_eq!(counts.by_route["GET /status/400"], 2);
    // Recorded as errors of the request table (400 and more are), while the hit succeeded.
    assert_eq!(recorded(&report, "GET /status/400"), (2, 2));
}

async fn status_error_ends_the_hit(cx: &mut Context) -> TestResult {
    cx.session
        .get(url(cx, "/status/503"))
        .send()
        .await?
        .error_for_status()?;
    unreachable!("a 503 is an error");
}

#[test]
fn error_for_status_with_a_question_mark_makes_the_hit_an_error() {
    let server = DemoServer::start_local();
    let report = loadcase::run(
        &Test::new("status", status_error_ends_the_hit).server_url(server.url("")),
        &Plan::parse(Some("1"), Some("1"), None).unwrap(),
        &Control::default(),
        &mut |_, _| {},
    );
    assert_eq!(report.stats.hits.errors, 1, "{:?}", report.stats.problems);
    let problem = &report.stats.problems[0];
    assert_eq!(
        problem.message,
        format!(
            "HTTP status server error (503 Service Unavailable) for url ({})",
            server.url("/status/503")
        )
    );
    assert!(
        problem
            .location
            .as_deref()
            .is_some_and(|l| l.contains("reqwest_idioms.rs")),
        "{problem:?}"
    );
}

// ---- Timeouts ----

async fn timeouts(cx: &mut Context) -> TestResult {
    // No response in time: `send` fails.
    let err = cx
        .session
        .get(url(cx, "/slow/2000"))
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout() && err.is_request(), "{err:?}");
    // The headers in time, the body not: `send` succeeds and the body's reader says so.
    let res = cx
        .session
        .get(url(cx, "/drip/2000"))
        .timeout(Duration::from_millis(300))
        .send()
        .await?;
    assert_eq!(res.status(), 200);
    let err = res.text().await.unwrap_err();
    assert!(err.is_timeout() && err.is_decode(), "{err:?}");
    // Within the timeout, nothing is wrong.
    cx.session
        .get(url(cx, "/slow/10"))
        .timeout(Duration::from_secs(10))
        .send()
        .await?;
    Ok(())
}

#[test]
fn a_request_timeout_covers_the_response_and_its_body() {
    let (report, counts) = once(Test::new("timeouts", timeouts));
    assert_eq!(counts.by_route["GET /slow/2000"], 1);
    assert_eq!(counts.by_route["GET /drip/2000"], 1);
    assert_eq!(recorded(&report, "GET /slow/2000"), (1, 1));
    assert_eq!(recorded(&report, "GET /drip/2000"), (1, 1));
    assert_eq!(recorded(&report, "GET /slow/10"), (1, 0));
}

// ---- Redirects (the default policy: at most 10) and Error::url's example ----

// The nested `if`s are the docs' own.
#[allow(clippy::collapsible_if)]
async fn redirects(cx: &mut Context) -> TestResult {
    let res = cx.session.get(url(cx, "/redirect/302")).send().await?;
    assert_eq!(res.status(), 200);
    assert_eq!(res.url().path(), "/es");

    // displays last stop of a redirect loop
    let response = cx.session.get(url(cx, "/redirect/loop")).send().await;
    let mut stopped = None;
    if let Err(e) = response {
        if e.is_redirect() {
            if let Some(final_stop) = e.url() {
                println!("redirect loop at {final_stop}");
                stopped = Some(final_stop.path().to_owned());
            }
        }
    }
    assert_eq!(stopped.as_deref(), Some("/redirect/loop"));
    Ok(())
}

#[test]
fn redirects_are_followed_and_a_loop_is_an_error_with_its_url() {
    let (report, counts) = once(Test::new("redirects", redirects));
    assert_eq!(counts.by_route["GET /redirect/302"], 1);
    assert_eq!(counts.by_route["GET /es"], 1);
    assert_eq!(counts.by_route["GET /redirect/loop"], 11);
    assert_eq!(recorded(&report, "GET /redirect/loop"), (1, 1));
}

// ---- Cookies: the session's store, as `ClientBuilder::cookie_store(true)` gives ----

async fn cookies(cx: &mut Context) -> TestResult {
    let params = [("user", "ann")];
    cx.session
        .post(url(cx, "/login"))
        .form(&params)
        .send()
        .await?
        .error_for_status()?;
    let me = cx
        .session
        .get(url(cx, "/whoami"))
        .send()
        .await?
        .text()
        .await?;
    assert_eq!(me, "ann");
    cx.session.post(url(cx, "/logout")).send().await?;
    let res = cx.session.get(url(cx, "/whoami")).send().await?;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the cookie expired");
    Ok(())
}

#[test]
fn cookies_set_by_the_server_come_back_until_it_expires_them() {
    let (_, counts) = once(Test::new("cookies", cookies));
    assert_eq!(counts.logins, 1);
    assert_eq!(counts.by_route["GET /whoami"], 2);
}

// ---- Built requests: RequestBuilder::build, Client::execute, RequestBuilder::try_clone ----

async fn build_and_execute(cx: &mut Context) -> TestResult {
    let request = cx
        .session
        .get(url(cx, "/get"))
        .query(&[("a", "1")])
        .build()?;
    assert_eq!(request.url().query(), Some("a=1"));
    let response = cx.session.execute(request).await?;
    assert_eq!(response.status(), 200);

    let builder = cx.session.post(url(cx, "/post")).body("from a &str!");
    let clone = builder.try_clone();
    assert!(clone.is_some());
    clone.unwrap().send().await?;
    builder.send().await?;
    Ok(())
}

#[test]
fn built_requests_are_executed_and_recorded_alike() {
    let (report, counts) = once(Test::new("build", build_and_execute));
    assert_eq!(counts.by_route["GET /get"], 1);
    assert_eq!(counts.by_route["POST /post"], 2);
    assert_eq!(recorded(&report, "GET /get"), (1, 0));
    assert_eq!(recorded(&report, "POST /post"), (2, 0));
}

// ---- What the response tells of its connection ----

async fn connection(cx: &mut Context) -> TestResult {
    let res = cx.session.get(url(cx, "/es")).send().await?;
    assert_eq!(res.version(), Version::HTTP_11);
    let addr = res.remote_addr().expect("the server's address");
    assert_eq!(url(cx, ""), format!("http://{addr}"));
    Ok(())
}

#[test]
fn version_and_remote_addr() {
    once(Test::new("connection", connection));
}

// ---- Through reqwest: a streamed body (Body::wrap's example), another HTTP version ----

async fn through_reqwest(cx: &mut Context) -> TestResult {
    let content = "hello,world!".to_string();

    let body = Body::wrap(content);
    let builder = cx.session.post(url(cx, "/post")).body(body);
    assert!(
        builder.try_clone().is_none(),
        "a stream cannot be sent twice"
    );
    let echoed: Value = builder.send().await?.json().await?;
    assert_eq!(echoed["data"], "hello,world!");

    let res = cx
        .session
        .get(url(cx, "/es"))
        .version(Version::HTTP_10)
        .send()
        .await?;
    assert_eq!(res.version(), Version::HTTP_10);
    assert_eq!(res.status(), 200);
    Ok(())
}

#[test]
fn requests_that_take_reqwest_are_recorded_alike() {
    let (report, counts) = once(Test::new("through_reqwest", through_reqwest));
    assert_eq!(counts.by_route["POST /post"], 1);
    assert_eq!(counts.by_route["GET /es"], 1);
    assert_eq!(recorded(&report, "POST /post"), (1, 0));
    assert_eq!(recorded(&report, "GET /es"), (1, 0));
}

// ---- The two paths, and reqwest itself, side by side ----

/// Everything a response says, but the `Date` header.
#[derive(Debug, PartialEq)]
struct Seen {
    status: StatusCode,
    version: Version,
    headers: Vec<(String, String)>,
    url: String,
    content_length: Option<u64>,
    remote_addr: Option<std::net::SocketAddr>,
    status_error: Option<Said>,
    body: Result<String, Said>,
}

/// Everything an error says.
#[derive(Debug, PartialEq)]
struct Said {
    /// Its `Display`: reqwest's but for a redirect error (see [`apart_from_display`]).
    display: String,
    text: String,
    url: Option<String>,
    status: Option<StatusCode>,
    /// is_builder, is_request, is_connect, is_dns, is_timeout, is_redirect, is_status,
    /// is_body, is_decode, is_upgrade.
    kinds: [bool; 10],
}

/// What a `SendError` or a `reqwest::Error` says: both have the same accessors. Its text is
/// the message of the `loadcase::Error` a hit's `?` makes of it: the error and its causes.
/// (reqwest puts "too many redirects" in a cause, loadcase's lean path in the error itself;
/// they read the same so.)
macro_rules! said {
    ($error:expr) => {{
        let e = $error;
        Said {
            display: e.to_string(),
            url: e.url().map(|u| u.to_string()),
            status: e.status(),
            kinds: [
                e.is_builder(),
                e.is_request(),
                e.is_connect(),
                e.is_dns(),
                e.is_timeout(),
                e.is_redirect(),
                e.is_status(),
                e.is_body(),
                e.is_decode(),
                e.is_upgrade(),
            ],
            text: loadcase::Error::from(e).to_string(),
        }
    }};
}

/// What a `loadcase::Response` or a `reqwest::Response` says (in an async fn): both have the
/// same methods.
macro_rules! seen {
    ($sent:expr) => {
        match $sent {
            Err(e) => Err(said!(e)),
            Ok(res) => {
                let mut headers: Vec<_> = res
                    .headers()
                    .iter()
                    .filter(|(name, _)| *name != header::DATE)
                    .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("?").to_owned()))
                    .collect();
                headers.sort();
                Ok(Seen {
                    status: res.status(),
                    version: res.version(),
                    headers,
                    url: res.url().to_string(),
                    content_length: res.content_length(),
                    remote_addr: res.remote_addr(),
                    status_error: res.error_for_status_ref().err().map(|e| said!(e)),
                    body: res.text().await.map_err(|e| said!(e)),
                })
            }
        }
    };
}

/// What was seen, less the errors' `Display`: the one thing that differs from reqwest's own,
/// for a redirect loop, whose `: too many redirects` loadcase says in the `Display` and reqwest
/// in a source (the chain, `text`, reads the same).
fn apart_from_display(seen: Result<Seen, Said>) -> Result<Seen, Said> {
    let forget = |said: Said| Said {
        display: String::new(),
        ..said
    };
    match seen {
        Err(said) => Err(forget(said)),
        Ok(seen) => Ok(Seen {
            status_error: seen.status_error.map(forget),
            body: seen.body.map_err(forget),
            ..seen
        }),
    }
}

/// Sends each of `cases` (method, URL, timeout in ms) three ways and checks that all three
/// look the same in every respect.
async fn compare(cx: &Context, cases: &[(&str, String, Option<u64>)]) {
    for (method, target, timeout) in cases {
        let (method, target, timeout) = (*method, target.as_str(), *timeout);
        let method: loadcase::reqwest::Method = method.parse().unwrap();
        let timeout = timeout.map(Duration::from_millis);
        let lean = cx.session.request(method.clone(), target);
        let streamed = cx
            .session
            .request(method.clone(), target)
            .body(Body::wrap(String::new()));
        let reqwest = cx.session.client().request(method, target);
        let (lean, streamed, reqwest) = match timeout {
            Some(t) => (lean.timeout(t), streamed.timeout(t), reqwest.timeout(t)),
            None => (lean, streamed, reqwest),
        };
        let lean = seen!(lean.send().await);
        let streamed = seen!(streamed.send().await);
        let reqwest = seen!(reqwest.send().await);
        assert_eq!(
            lean, streamed,
            "{target}: the lean path (left), by way of reqwest (right)"
        );
        assert_eq!(
            apart_from_display(lean),
            apart_from_display(reqwest),
            "{target}: the session (left), reqwest's own (right)"
        );
    }
}

/// The exchanges compared over every protocol: bodies, a HEAD, an error status, redirects.
fn shared_cases(cx: &Context) -> Vec<(&'static str, String, Option<u64>)> {
    vec![
        ("GET", url(cx, "/es"), None),
        ("GET", url(cx, "/range/26"), None),
        ("GET", url(cx, "/latin1"), None),
        ("HEAD", url(cx, "/range/26"), None),
        ("GET", url(cx, "/status/404"), None),
        ("GET", url(cx, "/redirect/303"), None),
        ("GET", url(cx, "/redirect/loop"), None),
    ]
}

/// Each exchange is sent three times: through the session's lean path, through the session
/// by way of reqwest (an empty streamed body takes a request there), and through reqwest's own
/// client (the session's, unrecorded). All three must look the same in every respect.
async fn three_ways(cx: &mut Context) -> TestResult {
    let mut cases = shared_cases(cx);
    cases.extend([
        ("GET", url(cx, "/drip/0"), None),
        ("GET", url(cx, "/status/500"), None),
        ("GET", url(cx, "/truncated"), None),
        ("GET", url(cx, "/slow/2000"), Some(100)),
        ("GET", url(cx, "/drip/2000"), Some(300)),
        ("GET", "http://127.0.0.1:1/".to_owned(), None),
        ("GET", "http://nonexistent.invalid/".to_owned(), None),
    ]);
    compare(cx, &cases).await;
    // JSON that does not decode.
    let res = cx.session.get(url(cx, "/range/26")).send().await?;
    let lean = res.json::<Value>().await.unwrap_err();
    let res = cx.session.client().get(url(cx, "/range/26")).send().await?;
    let reqwest = res.json::<Value>().await.unwrap_err();
    assert!(lean.is_decode());
    assert_eq!(said!(lean), said!(reqwest));
    // A chunk of a body that could not be read, and the chunks of one that could.
    let mut res = cx.session.get(url(cx, "/truncated")).send().await?;
    let lean = res.chunk().await.unwrap_err();
    let mut res = cx
        .session
        .client()
        .get(url(cx, "/truncated"))
        .send()
        .await?;
    assert_eq!(res.chunk().await?.as_deref(), Some(&b"partial"[..]));
    let reqwest = res.chunk().await.unwrap_err();
    assert_eq!(said!(lean), said!(reqwest));
    Ok(())
}

#[test]
fn the_lean_path_by_way_of_reqwest_and_reqwest_itself_answer_alike() {
    let (report, counts) = once(Test::new("three_ways", three_ways));
    assert_eq!(
        counts.by_route["GET /es"], 6,
        "/es and where /redirect/303 leads, 3 times"
    );
    assert_eq!(counts.by_route["GET /redirect/loop"], 33);
    // The session recorded its own two of each, reqwest's client none.
    assert_eq!(recorded(&report, "GET /es"), (2, 0));
    assert_eq!(recorded(&report, "GET /truncated"), (3, 3));
    assert_eq!(recorded(&report, "GET /status/404"), (2, 2));
    assert_eq!(recorded(&report, "HEAD /range/26"), (2, 0));
    assert_eq!(recorded(&report, "GET /redirect/loop"), (2, 2));
}

/// The same over HTTPS, on HTTP/2 (which the server offers by ALPN, and which reqwest's own
/// client takes too) and on HTTP/1.1 (a server offering nothing else).
async fn three_ways_tls(cx: &mut Context) -> TestResult {
    let res = cx.session.get(url(cx, "/es")).send().await?;
    let version = res.version();
    assert!(version == Version::HTTP_2 || version == Version::HTTP_11);
    let mut cases = shared_cases(cx);
    cases.extend([
        ("GET", url(cx, "/slow/2000"), Some(100)),
        ("GET", "https://127.0.0.1:1/".to_owned(), None),
    ]);
    if version == Version::HTTP_11 {
        // Cut mid-body: HTTP/1.1 over TLS reads it as reqwest does; HTTP/2's stream reset
        // reads alike too, but the server's cut of an HTTP/2 connection ends its other
        // streams, so it is left to the HTTP/1.1 round.
        cases.push(("GET", url(cx, "/truncated"), None));
    }
    compare(cx, &cases).await;
    cx.session
        .post(url(cx, "/login"))
        .form(&[("user", "ann")])
        .send()
        .await?;
    let me = cx.session.get(url(cx, "/whoami")).send().await?;
    assert_eq!(me.version(), version);
    assert_eq!(me.text().await?, "ann", "the cookie came back");
    Ok(())
}

#[test]
fn over_https_on_http2_and_http1_the_two_paths_and_reqwest_answer_alike() {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let dir = std::env::temp_dir().join(format!("loadcase-idioms-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join("cert.pem");
    std::fs::write(&pem, cert.pem()).unwrap();
    for (alpn, http2) in [(vec![], true), (vec![b"http/1.1".to_vec()], false)] {
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key)
            .unwrap();
        config.alpn_protocols = alpn;
        let server = DemoServer::start_tls(config).unwrap();
        let (report, counts) = once_on(
            &server,
            Some(pem.clone()),
            Test::new("three_ways_tls", three_ways_tls),
        );
        assert_eq!(recorded(&report, "GET /es"), (3, 0), "HTTP/2: {http2}");
        assert_eq!(counts.by_route["GET /es"], 1 + 3 * 2, "HTTP/2: {http2}");
        let expected = if http2 { counts.requests } else { 0 };
        assert_eq!(counts.http2_requests, expected, "HTTP/2: {http2}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
