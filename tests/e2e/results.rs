//! What a run leaves behind: thresholds and their exit code, report files parsed back, the
//! request log against the server's own count, profiles.

use std::path::PathBuf;

use loadcase::Report;
use loadcase_e2e::{DemoServer, run, workspace};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loadcase-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn thresholds_from_flags_and_attribute_give_their_own_exit_code() {
    let server = DemoServer::start_local();
    let url = server.url("");
    let met = run(&[
        "fixture::with_thresholds",
        "-u",
        "5",
        "-c",
        "10",
        "--server-url",
        &url,
        "--threshold",
        "rps>1",
        "--threshold",
        "GET /es: p95<10s",
    ]);
    assert_eq!(met.code, 0, "{met}");
    assert!(met.stdout.contains("Thresholds: 5 met, 0 broken"), "{met}");
    for t in [
        "p99<10s",
        "error_rate<1%",
        "GET /es: ttfb_p99<10s",
        "rps>1",
        "GET /es: p95<10s",
    ] {
        assert!(met.stdout.contains(&format!("✓ {t}")), "{t} in {met}");
    }
    let broken = run(&[
        "fixture::with_thresholds",
        "-u",
        "2",
        "--server-url",
        &url,
        "--threshold",
        "requests>1000",
        "--threshold",
        "GET /nope: p95<1s",
    ]);
    assert_eq!(broken.code, 3, "{broken}");
    assert!(
        broken.stdout.contains("Thresholds: 3 met, 2 broken"),
        "{broken}"
    );
    assert!(broken.stdout.contains("✗ requests>1000"), "{broken}");
    assert!(broken.stdout.contains("measured 2"), "{broken}");
    assert!(
        broken.stdout.contains("no requests named `GET /nope`"),
        "{broken}"
    );
    let own = run(&["fixture::impossible_threshold", "--server-url", &url]);
    assert_eq!(own.code, 3, "{own}");
    assert!(own.stdout.contains("✗ p50<1us"), "{own}");
    // Failed hits outrank a broken threshold.
    let both = run(&[
        "fixture::outcomes",
        "-c",
        "5",
        "--server-url",
        &url,
        "--threshold",
        "hits>100",
    ]);
    assert_eq!(both.code, 1, "{both}");
}

#[test]
fn malformed_thresholds_stop_before_the_load() {
    let server = DemoServer::start_local();
    let url = server.url("");
    let flag = run(&[
        "fixture::get",
        "--server-url",
        &url,
        "--threshold",
        "p95<200",
    ]);
    assert_eq!(flag.code, 2, "{flag}");
    assert!(
        flag.stderr
            .contains("--threshold: threshold `p95<200`: `200` has no unit; write e.g. `200ms`"),
        "{flag}"
    );
    let attribute = run(&["fixture::malformed_threshold", "--server-url", &url]);
    assert_eq!(attribute.code, 2, "{attribute}");
    assert!(
        attribute.stderr.contains(
            "in thresholds(…) of #[load_test] `fixture::malformed_threshold` at tests/fixture.rs:"
        ),
        "{attribute}"
    );
    assert_eq!(server.counts().requests, 0, "no load ran");
    assert!(!attribute.stderr.contains("panicked"), "{attribute}");
}

#[test]
fn every_report_format_is_written_and_reads_back() {
    let server = DemoServer::start_local();
    let dir = scratch("reports");
    let path = |ext: &str| dir.join(format!("nested/run.{ext}"));
    let run = run(&[
        "fixture::outcomes",
        "-u",
        "4",
        "-c",
        "10",
        "--server-url",
        &server.url(""),
        "--threshold",
        "p99<10s",
        "--report",
        path("json").to_str().unwrap(),
        "--report",
        path("csv").to_str().unwrap(),
        "--report",
        path("xml").to_str().unwrap(),
        "--report",
        path("html").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "a fifth of the hits fail: {run}");
    // JSON: the report itself, exact, and the figures beside it.
    let text = std::fs::read_to_string(path("json")).unwrap();
    let report: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(report.schema, loadcase::report::REPORT_SCHEMA);
    assert_eq!(report.test, "fixture::outcomes");
    assert_eq!(report.stats.hits.total(), 40);
    assert_eq!(report.stats.request_count(), server.counts().requests);
    let series_requests: u64 = report.series.iter().map(|p| p.requests).sum();
    assert_eq!(
        series_requests,
        report.stats.request_count(),
        "the series adds up"
    );
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["verdicts"][0]["threshold"], "p99<10s");
    assert_eq!(
        value["figures"]["hits"]["failures"],
        report.stats.hits.failures
    );
    let back = serde_json::to_string(&report).unwrap();
    assert_eq!(serde_json::from_str::<Report>(&back).unwrap(), report);
    // CSV: a row per request name and one for all.
    let mut csv = csv::Reader::from_path(path("csv")).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(names, ["GET /es", "GET /status/503", "All requests"]);
    assert_eq!(rows[2][1].parse::<u64>().unwrap(), server.counts().requests);
    // JUnit: one failing case.
    let xml = std::fs::read_to_string(path("xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].attribute("name"), Some("outcomes"));
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(
        failure.text().unwrap().contains("deliberate fail!"),
        "{xml}"
    );
    // HTML: a document that names the test.
    let html = std::fs::read_to_string(path("html")).unwrap();
    assert!(html.contains("fixture::outcomes"));
    for plot in [
        "latency-over-time",
        "throughput-over-time",
        "latency-distribution",
    ] {
        assert!(html.contains(&format!("id=\"{plot}\"")), "no {plot} plot");
    }
    assert!(!html.contains("<script"), "self-contained and script-free");
    assert!(run.stderr.contains("report written to"), "{run}");
}

#[test]
fn a_report_path_with_an_unknown_extension_is_refused_first() {
    let run = run(&[
        "fixture::get",
        "--server-url",
        "http://127.0.0.1:9",
        "--report",
        "out.pdf",
    ]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains(
            "--report out.pdf: unknown format; end the path in .json, .html, .xml (JUnit) or .csv"
        ),
        "{run}"
    );
}

#[test]
fn the_request_log_holds_every_request_and_no_secret() {
    let server = DemoServer::start_local();
    let dir = scratch("log");
    for ext in ["jsonl", "csv"] {
        let before = server.counts().requests;
        let log = dir.join(format!("requests.{ext}"));
        let run = run(&[
            "fixture::secrets",
            "-u",
            "3",
            "-c",
            "6",
            "--server-url",
            &server.url(""),
            "--log-requests",
            log.to_str().unwrap(),
            "--redact-header",
            "X-Api-Key",
        ]);
        assert_eq!(run.code, 0, "{run}");
        let received = server.counts().requests - before;
        assert_eq!(received, 18);
        let text = std::fs::read_to_string(&log).unwrap();
        for secret in [
            "pw-in-url",
            "token-in-header",
            "cookie-value",
            "key-in-custom-header",
        ] {
            assert!(!text.contains(secret), "{secret} in the {ext} log:\n{text}");
        }
        if ext == "jsonl" {
            let entries: Vec<serde_json::Value> = text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert_eq!(
                entries.len() as u64,
                received,
                "one line per request received"
            );
            let failed: Vec<_> = entries.iter().filter(|e| e["status"] == 500).collect();
            assert_eq!(failed.len(), 9);
            assert!(
                failed
                    .iter()
                    .all(|e| e["outcome"] == "error" && e["body"] == "status 500")
            );
            let ok = entries.iter().find(|e| e["status"] == 200).unwrap();
            assert!(ok.get("body").is_none(), "successful bodies are not kept");
            assert_eq!(ok["bytes_sent"], 7);
            // reqwest moves URL credentials into an Authorization header, redacted like any.
            assert_eq!(
                ok["url"],
                format!("{}/es", server.url("").trim_end_matches('/'))
            );
            let headers = failed[0]["request_headers"].to_string();
            assert!(headers.contains("[redacted]"), "{headers}");
        } else {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            assert_eq!(reader.records().count() as u64, received);
        }
    }
}

#[test]
fn profiles_set_the_plan_and_flags_override_them() {
    let server = DemoServer::start_local();
    let url = server.url("");
    let report = workspace().join("target/loadcase-e2e/profile-smoke.json");
    let _ = std::fs::remove_file(&report);
    let smoke = run(&["fixture::get", "--profile", "smoke", "--server-url", &url]);
    assert_eq!(smoke.code, 0, "{smoke}");
    assert_eq!(smoke.figure("Hits"), 12, "3 users × 4 hits");
    assert!(smoke.stdout.contains("✓ p99<10s"), "{smoke}");
    assert!(
        report.is_file(),
        "the profile's report, relative to loadcase.toml"
    );
    let overridden = run(&[
        "fixture::get",
        "--profile",
        "smoke",
        "-u",
        "2",
        "--server-url",
        &url,
    ]);
    assert_eq!(overridden.figure("Hits"), 8, "{overridden}");
    assert_eq!(server.counts().requests, 20);
    let broken = run(&["fixture::get", "--profile", "broken", "--server-url", &url]);
    assert_eq!(broken.code, 3, "{broken}");
    let missing = run(&["fixture::get", "--profile", "nightly", "--server-url", &url]);
    assert_eq!(missing.code, 2, "{missing}");
    assert!(missing.stderr.contains("no [profile.nightly]"), "{missing}");
    assert!(
        missing
            .stderr
            .contains("it defines broken, secret_url, smoke"),
        "{missing}"
    );
    assert_eq!(
        server.counts().requests,
        21,
        "neither bad profile ran a load"
    );
}
