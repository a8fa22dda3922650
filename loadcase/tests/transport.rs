//! The session's lean plain-HTTP path against the counting demo server: redirects by reqwest's
//! rules, bodies resent on 307/308, cookies kept, errors worded as reqwest words them.

use loadcase::{Context, Control, Plan, Test, TestResult};
use loadcase_examples::DemoServer;

async fn redirects(cx: &mut Context) -> TestResult {
    let base = cx.app.server_url().unwrap().to_owned();
    // 303 turns the POST into a GET of /es, without the body.
    let r = cx
        .session
        .post(format!("{base}/redirect/303"))
        .body("dropped")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert_eq!(r.url().path(), "/es");
    // 307 and 308 resend method and body to /echo.
    for code in [307, 308] {
        let r = cx
            .session
            .post(format!("{base}/redirect/{code}"))
            .body(format!("resent {code}"))
            .send()
            .await?;
        assert_eq!(r.url().path(), "/echo");
        assert_eq!(r.text().await?, format!("resent {code}"));
    }
    // A loop ends after ten redirects, with reqwest's words.
    let error = cx
        .session
        .get(format!("{base}/redirect/loop"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_redirect(), "{error}");
    assert!(error.to_string().contains("too many redirects"), "{error}");
    // The login's cookie comes back on the next request.
    cx.session
        .post(format!("{base}/login"))
        .form(&[("user", "ann")])
        .send()
        .await?;
    let me = cx.session.get(format!("{base}/whoami")).send().await?;
    assert_eq!(me.text().await?, "ann");
    // A closed port is a connect error, named as reqwest names it.
    let error = cx
        .session
        .get("http://127.0.0.1:1/")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error}");
    let text = loadcase::Error::from(error).to_string();
    assert!(
        text.contains("error sending request for url (http://127.0.0.1:1/)"),
        "{text}"
    );
    assert!(text.contains("Connection refused"), "{text}");
    Ok(())
}

#[test]
fn the_plain_path_follows_redirects_keeps_cookies_and_names_errors() {
    let server = DemoServer::start_local();
    let mut plan = Plan::parse(Some("2"), Some("1"), None).unwrap();
    plan.server_url = Some(server.url(""));
    let report = loadcase::run(
        &Test::new("transport::redirects", redirects),
        &plan,
        &Control::default(),
        &mut |_, _| {},
    );
    assert_eq!(report.stats.hits.success, 2, "{:?}", report.stats.problems);
    let counts = server.counts();
    assert_eq!(counts.by_route["POST /redirect/303"], 2);
    assert_eq!(counts.by_route["GET /es"], 2, "303 became a GET");
    assert_eq!(
        counts.by_route["POST /echo"], 4,
        "307 and 308 kept the POST"
    );
    assert_eq!(
        counts.by_route["GET /redirect/loop"], 22,
        "the first and ten more, per user"
    );
    assert!(counts.echo.last_body.starts_with("resent 30"));
    // Each redirect is one recorded request, named by its first URL.
    assert_eq!(report.stats.requests["POST /redirect/307"].count, 2);
}
