//! Whatever a server sends, a response holds at most its body limit in memory: a larger body is
//! read to its end, counted and timed, but not kept, and reading it says why; an endless one
//! ends at the request's timeout. In a file of its own, so that the process's peak memory is
//! this test's.

use std::time::Duration;

use loadcase::{Context, Control, Plan, Test, TestResult};
use loadcase_examples::DemoServer;

async fn fetch_100_mb(cx: &mut Context) -> TestResult {
    let base = cx.app.server_url().unwrap().to_owned();
    let r = cx
        .session
        .get(format!("{base}/bytes/100000000"))
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let error = r.bytes().await.unwrap_err();
    assert!(error.is_decode(), "{error}");
    let text = loadcase::Error::from(error).to_string();
    assert!(
        text.contains("the body's 100000000 bytes are more than the 16777216 a response keeps"),
        "{text}"
    );
    // A limit of its own lets a request keep more.
    let kept = cx
        .session
        .get(format!("{base}/bytes/2000000"))
        .body_limit(4 << 20)
        .send()
        .await?
        .bytes()
        .await?;
    assert_eq!(kept.len(), 2_000_000);
    // The app needs the body at hand: past the limit, its request fails, saying why.
    let error = cx.app.get("/bytes/1000").body_limit(100).await.unwrap_err();
    assert!(
        error.to_string().contains("bytes are more than the 100"),
        "{error}"
    );
    Ok(())
}

async fn endless(cx: &mut Context) -> TestResult {
    let base = cx.app.server_url().unwrap().to_owned();
    let error = cx
        .session
        .get(format!("{base}/endless"))
        .timeout(Duration::from_secs(2))
        .send()
        .await?
        .text()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    Ok(())
}

#[test]
fn huge_and_endless_bodies_are_read_within_the_limit() {
    let server = DemoServer::start_local();
    let mut plan: Plan = "-u 8 -c 1".parse().unwrap();
    plan.server_url = Some(server.url(""));
    let report = loadcase::run(
        &Test::new("bodies::fetch_100_mb", fetch_100_mb),
        &plan,
        &Control::default(),
        &mut |_, _| {},
    );
    assert_eq!(report.stats.hits.success, 8, "{:?}", report.stats.problems);
    let row = &report.stats.requests["GET /bytes/100000000"];
    assert_eq!(
        (row.count, row.errors),
        (8, 0),
        "a large body is no error in itself"
    );
    assert_eq!(row.bytes_received, 800_000_000, "every byte counted");
    assert_eq!(row.ttlb.len(), 8, "and timed to the last one");

    let endless_plan: Plan = {
        let mut p: Plan = "-u 2 -c 1".parse().unwrap();
        p.server_url = Some(server.url(""));
        p
    };
    let report_endless = loadcase::run(
        &Test::new("bodies::endless", endless),
        &endless_plan,
        &Control::default(),
        &mut |_, _| {},
    );
    assert_eq!(
        report_endless.stats.hits.success, 2,
        "{:?}",
        report_endless.stats.problems
    );
    assert!(report_endless.stats.requests["GET /endless"].bytes_received > 0);
    // 8 users × 100 MB, 2 MB kept at once, and two endless bodies: far below what keeping
    // them would take (762 MB for the 100 MB bodies alone before the limit).
    let peak = report_endless.peak_rss_bytes.unwrap();
    eprintln!("peak memory of the bodies test: {} MB", peak / 1_000_000);
    assert!(peak < 200_000_000, "peak memory {} MB", peak / 1_000_000);
}
