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

/// The report of `-u 2:4 -c 3`: 6 hits in a first stage of 0.5 s, 12 in a second of 2 s,
/// one of them failed, each hit one request of 10 ms then 40 ms.
fn staged() -> Report {
    let mut report = report();
    report.stats = loadcase::report::Stats::default();
    report.plan = Some(loadcase::Plan::parse(Some("2:4"), Some("3"), None).unwrap());
    for (hits, secs, started, ms) in [(6u64, 0.5, 0.0, 10), (12, 2.0, 0.5, 40)] {
        let mut stage = loadcase::report::StageStats {
            started_secs: started,
            elapsed_secs: secs,
            ..Default::default()
        };
        stage.stats.hits.success = hits - 1;
        stage.stats.hits.failures = 1;
        let r = stage.stats.request_entry("GET /es");
        r.count = hits;
        for _ in 0..hits {
            r.time.record(Duration::from_millis(ms));
        }
        report.stats.merge(&stage.stats);
        report.stages.push(stage);
    }
    report
}

#[test]
fn a_staged_run_has_a_row_per_stage_over_its_own_time() {
    let text = render(&staged(), &[]);
    let at = text.find("\nStages:\n").expect("a stage table");
    let lines: Vec<&str> = text[at + 1..].lines().collect();
    let fields =
        |line: &str| -> Vec<String> { line.split_whitespace().map(str::to_owned).collect() };
    assert_eq!(
        fields(lines[1]),
        [
            "Stage", "users", "time", "hits", "errors", "failures", "requests", "hits/s", "p50",
            "p95", "p99"
        ]
    );
    assert_eq!(
        fields(lines[2]),
        [
            "1", "2", "500.0ms", "6", "0", "1", "6", "12.0", "10.0ms", "10.0ms", "10.0ms"
        ]
    );
    assert_eq!(
        fields(lines[3]),
        [
            "2", "4", "2.00s", "12", "0", "1", "12", "6.00", "40.0ms", "40.0ms", "40.0ms"
        ]
    );
    assert!(
        lines[4].starts_with("Each stage over its own time"),
        "{text}"
    );
    // The first block still covers the whole run.
    assert!(text.starts_with("Hits: 18\n"), "{text}");
    assert!(
        !render(&report(), &[]).contains("Stages:"),
        "one stage: no table"
    );
}

#[test]
fn ramping_and_rate_stages_say_what_each_moved_between() {
    let mut report = staged();
    let plan = |args: loadcase::__private::runner::PlanArgs| {
        Some(loadcase::Plan::parse_args(&args).unwrap())
    };
    report.plan = plan(loadcase::__private::runner::PlanArgs {
        stages: Some("10@1s, 0@1s"),
        ..Default::default()
    });
    let text = render(&report, &[]);
    assert!(text.contains("Stage users "), "{text}");
    assert!(text.contains("\n    1  0→10 "), "{text}");
    assert!(text.contains("\n    2  10→0 "), "{text}");
    report.plan = plan(loadcase::__private::runner::PlanArgs {
        rate_stages: Some("50/s@1s, 12.5/s@1s"),
        ..Default::default()
    });
    let text = render(&report, &[]);
    assert!(text.contains("Stage      rate "), "{text}");
    assert!(text.contains("\n    1    0→50/s "), "{text}");
    assert!(text.contains("\n    2 50→12.5/s "), "{text}");
}

#[test]
fn websocket_messages_each_way_follow_the_first_block() {
    let mut r = report();
    let ws = &mut r.stats.websockets;
    (ws.messages_sent, ws.bytes_sent, ws.messages_received) = (6, 327, 5);
    let text = render(&r, &[]);
    assert!(
        text.contains(
            "Failures: 2\n\nWebSocket messages: 6 sent (327 bytes), 5 received (42 bytes), on 3 sockets\n"
        ),
        "{text}"
    );
    r.stats.websockets = Default::default();
    assert!(!render(&r, &[]).contains("WebSocket messages"));
}

#[test]
fn tests_whose_hits_blocked_their_thread_are_named_with_the_fix() {
    let mut r = report();
    assert!(!render(&r, &[]).contains("Blocked"), "none blocked");
    r.stats.stalls.count = 3;
    r.stats.stalls.longest_secs = 1.25;
    let text = render(&r, &[]);
    assert!(
        text.contains(
            "\nBlocked worker threads:\n  example::test_es: its hits held their worker thread \
             without yielding 3 times for a quarter second or more, the longest 1.25s (no other \
             user on that thread ran meanwhile)\n  Blocking calls (std::thread::sleep, \
             synchronous I/O, CPU-heavy loops) belong in tokio::task::spawn_blocking"
        ),
        "{text}"
    );
    // In a mix, the test that blocked, not the one beside it.
    let mut blocking = loadcase::report::Stats::default();
    blocking.stalls.count = 1;
    blocking.stalls.longest_secs = 0.5;
    r.by_test.insert("mix::blocking".into(), blocking);
    r.by_test.insert("mix::fine".into(), Default::default());
    let text = render(&r, &[]);
    assert!(
        text.contains("  mix::blocking: its hits held their worker thread without yielding once"),
        "{text}"
    );
    assert!(!text.contains("mix::fine: its hits"), "{text}");
    assert!(!text.contains("example::test_es: its hits"), "{text}");
}

#[test]
fn the_request_log_says_how_many_entries_it_holds_and_where() {
    let mut r = report();
    assert!(!render(&r, &[]).contains("Request log"));
    let mut plan = loadcase::Plan::once();
    plan.log = Some(loadcase::plan::LogSpec {
        path: "/tmp/run/requests.jsonl".into(),
        redact_headers: Vec::new(),
    });
    r.plan = Some(plan);
    r.logged_requests = Some(1000);
    let text = render(&r, &[]);
    assert!(
        text.contains("\nRequest log: 1000 entries written to /tmp/run/requests.jsonl\n"),
        "{text}"
    );
}
