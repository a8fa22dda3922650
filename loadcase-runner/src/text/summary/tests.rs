use std::time::Duration;

use loadcase::ProblemKind;
use loadcase::Report;
use loadcase::report::REPORT_SCHEMA;

use super::*;

fn report() -> Report {
    let mut report = Report {
        schema: REPORT_SCHEMA,
        test: "example::test_es".into(),
        started_unix_ms: 1_764_000_000_000,
        elapsed_secs: 2.02,
        ..Report::default()
    };
    let stats = &mut report.stats;
    stats.hits.success = 997;
    stats.hits.errors = 1;
    stats.hits.failures = 2;
    let r = stats.requests.entry("GET /".into()).or_default();
    for i in 0..1000u64 {
        r.count += 1;
        r.time.record(Duration::from_micros(30_000 + i * 20));
    }
    stats.status_codes.insert(200, 1000);
    stats.counters.insert("pages".into(), 1000);
    stats.websockets.opened = 3;
    stats.websockets.bytes_received = 42;
    stats.add_problem(
        ProblemKind::Failure,
        "assertion failed: page.contains(\"Search\")",
        Some("tests/example.rs:31:5"),
        2,
    );
    stats.add_problem(
        ProblemKind::Error,
        "error sending request: connection refused",
        Some("tests/example.rs:12:40"),
        1,
    );
    report
}

#[test]
fn loads_block_has_the_exact_labels_in_order() {
    let text = render(&report(), &[]);
    let lines: Vec<&str> = text.lines().take(11).collect();
    assert_eq!(lines[0], "Hits: 1000");
    assert!(lines[1].starts_with("Started: 20"), "{}", lines[1]);
    assert_eq!(lines[2], "Duration: 2.02 seconds");
    assert_eq!(lines[3], "Approximate Average RPS: 495");
    assert_eq!(lines[4], "Average request time: 0.0400s");
    assert_eq!(lines[5], "Opened web sockets: 3");
    assert_eq!(lines[6], "Bytes received via web sockets : 42");
    assert_eq!(lines[7], "");
    assert_eq!(lines[8], "Success: 997");
    assert_eq!(lines[9], "Errors: 1");
    assert_eq!(lines[10], "Failures: 2");
}

#[test]
fn tables_counters_and_grouped_problems_follow() {
    let text = render(&report(), &[]);
    assert!(text.contains("Request"), "{text}");
    let row = text.lines().find(|l| l.starts_with("GET /")).unwrap();
    assert!(row.contains(" 1000 "), "{row}");
    assert!(
        text.contains("Requests: 1000 (0 errors)\n"),
        "the total, as benchmark scripts read it: {text}"
    );
    assert!(text.contains("Status codes:\n  200: 1000"));
    assert!(text.contains("Counters:\n  pages: 1000"));
    let failures = text.find("2 occurrences of: assertion failed").unwrap();
    let errors = text.find("1 occurrence of: error sending request").unwrap();
    assert!(failures < errors, "most common first");
    assert!(text.contains("failure at tests/example.rs:31:5"));
}

#[test]
fn sub_10ms_averages_keep_their_digits_and_untimed_rows_show_dashes() {
    let mut r = report();
    let get = r.stats.requests.get_mut("GET /").unwrap();
    get.time = loadcase::report::Histogram::default();
    get.time.record(Duration::from_micros(612));
    r.stats
        .requests
        .entry("GET /down".into())
        .or_default()
        .count = 3;
    let text = render(&r, &[]);
    assert!(text.contains("Average request time: 0.000612s"), "{text}");
    let down = text.lines().find(|l| l.starts_with("GET /down")).unwrap();
    assert!(down.contains(" - "), "{down}");
}

#[test]
fn thresholds_show_measured_values_and_marks() {
    let verdicts = [
        Verdict {
            threshold: "p95<200ms".into(),
            measured: "12.0 ms".into(),
            passed: true,
        },
        Verdict {
            threshold: "error_rate<1%".into(),
            measured: "4.00 %".into(),
            passed: false,
        },
    ];
    let text = console::strip_ansi_codes(&render(&report(), &verdicts)).into_owned();
    assert!(text.contains("Thresholds: 1 met, 1 broken"), "{text}");
    assert!(
        text.contains("  ✓ p95<200ms      measured 12.0 ms"),
        "{text}"
    );
    assert!(
        text.contains("  ✗ error_rate<1%  measured 4.00 %"),
        "{text}"
    );
}

#[test]
fn the_open_model_says_which_time_is_which_and_counts_dropped_hits() {
    let mut report = report();
    assert!(
        !render(&report, &[]).contains("Open model"),
        "closed model: no such section"
    );
    report.plan = Some(
        loadcase::Plan::parse_args(&loadcase::__private::runner::PlanArgs {
            rate: Some("500/s"),
            duration: Some("2s"),
            max_users: Some("10"),
            ..Default::default()
        })
        .unwrap(),
    );
    report.stats.hits.dropped = 4;
    report.stats.hits.time.record(Duration::from_millis(2));
    report
        .stats
        .hits
        .corrected
        .record(Duration::from_millis(900));
    report.stop_reason = Some("all 10 rows of users.csv have been used".into());
    let text = console::strip_ansi_codes(&render(&report, &[])).into_owned();
    assert!(text.contains("\nDropped: 4\n"), "{text}");
    assert!(
        text.contains("Hits started: 1000 of 1004 due (500.0 hits/s over the 2.0s schedule"),
        "{text}"
    );
    assert!(
        text.contains("every one of the 10 users at most was busy"),
        "{text}"
    );
    assert!(
        text.contains("Hit time, corrected (from when each hit was due; waiting for a free user counts): p50 900"),
        "{text}"
    );
    assert!(
        text.contains("Hit time, raw service time (from when each hit started"),
        "{text}"
    );
    assert!(
        text.contains("Stopped early: all 10 rows of users.csv have been used"),
        "{text}"
    );
}
