use std::time::Duration;

use super::*;
use crate::Report;
use crate::report::model::REPORT_SCHEMA;

fn sample(offset: u64, n: u64) -> Stats {
    let mut s = Stats::default();
    for i in 0..n {
        let v = offset + i;
        s.hits.time.record(Duration::from_micros(100 + v * 13));
        let r = s.requests.entry(format!("GET /{}", v % 3)).or_default();
        r.count += 1;
        r.time.record(Duration::from_micros(90 + v * 11));
        r.ttfb.record(Duration::from_micros(80 + v * 7));
        r.ttlb.record(Duration::from_micros(85 + v * 9));
        r.bytes_sent += 4;
        r.bytes_received += 10;
        *s.status_codes.entry(200 + (v % 2) as u16).or_default() += 1;
        *s.counters.entry("pages".into()).or_default() += 1;
        s.websockets.messages_sent += 2;
        if v.is_multiple_of(5) {
            s.hits.failures += 1;
            s.add_problem(
                ProblemKind::Failure,
                &format!("bad {}", v % 10),
                Some("t.rs:1:1"),
                1,
            );
        } else {
            s.hits.success += 1;
        }
    }
    s
}

#[test]
fn merge_of_two_halves_equals_the_whole() {
    let mut first = sample(0, 500);
    let second = sample(500, 500);
    first.merge(&second);
    let mut whole = sample(0, 1000);
    // Group order is first-seen; both orders saw "bad 0" before "bad 5".
    whole.problems.sort_by(|a, b| a.message.cmp(&b.message));
    first.problems.sort_by(|a, b| a.message.cmp(&b.message));
    assert_eq!(first, whole);
}

#[test]
fn merged_reports_serialize_round_trip() {
    let report = |started_unix_ms, interrupted, stats: Stats| {
        let mut series = Vec::new();
        crate::report::series::record(&mut series, 0, &stats, 3);
        crate::report::series::record(&mut series, 1, &stats, 2);
        Report {
            schema: REPORT_SCHEMA,
            test: "t::x".into(),
            started_unix_ms,
            elapsed_secs: 2.0,
            interrupted,
            cpu_secs: Some(0.5),
            peak_rss_bytes: Some(1000),
            plan: Some(crate::Plan::parse(Some("3"), Some("5"), None).unwrap()),
            thresholds: vec!["p95<1s".into()],
            by_test: [("t::x".to_owned(), stats.clone())].into(),
            stages: vec![crate::report::StageStats {
                started_secs: 0.0,
                elapsed_secs: 2.0,
                stats: stats.clone(),
            }],
            stats,
            series,
            stop_reason: interrupted.then(|| "out of rows".to_owned()),
            logged_requests: Some(7),
            request_log_error: interrupted.then(|| "cannot write r.jsonl".to_owned()),
            run_id: Some("r".into()),
            plan_digest: Some("d".into()),
            start_skew_secs: Some(0.01),
            missed_start: false,
        }
    };
    let mut a = report(1_000, false, sample(0, 10));
    let b = report(2_000, true, sample(10, 10));
    a.merge(&b);
    assert_eq!(a.started_unix_ms, 1_000);
    assert!((a.elapsed_secs - 3.0).abs() < 1e-9);
    assert!(a.interrupted);
    assert_eq!(a.stats.hits.total(), 20);
    assert_eq!(
        a.by_test["t::x"].hits.total(),
        20,
        "each test's part adds up too"
    );
    assert_eq!(a.stop_reason.as_deref(), Some("out of rows"));
    assert_eq!(a.request_log_error.as_deref(), Some("cannot write r.jsonl"));
    assert_eq!(a.thresholds, ["p95<1s"]);
    assert_eq!(a.cpu_secs, Some(1.0), "both processes' CPU");
    assert_eq!(a.peak_rss_bytes, Some(2000));
    // b started a second later: its seconds 0 and 1 are a's 1 and 2.
    let hits: Vec<u64> = a.series.iter().map(|p| p.hits).collect();
    assert_eq!(hits, [10, 20, 10]);
    let users: Vec<u64> = a.series.iter().map(|p| p.active_users).collect();
    assert_eq!(users, [3, 5, 2]);
    let back: Report = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(back, a);
}

#[test]
fn request_names_are_bounded_and_counts_stay_exact() {
    let mut shard = Stats::default();
    for i in 0..(MAX_REQUEST_NAMES + 300) {
        shard.request_entry(&format!("GET /users/{i}")).count += 1;
    }
    assert_eq!(shard.requests.len(), MAX_REQUEST_NAMES);
    assert_eq!(shard.requests[OTHER_REQUESTS].count, 301);
    let mut merged = Stats::default();
    merged.request_entry("GET /health").count += 7;
    merged.merge(&shard);
    assert!(merged.requests.len() <= MAX_REQUEST_NAMES);
    assert_eq!(merged.request_count(), MAX_REQUEST_NAMES as u64 + 300 + 7);
    assert_eq!(merged.requests["GET /health"].count, 7);
}

#[test]
fn problems_group_and_sort_by_count() {
    let mut s = Stats::default();
    s.add_problem(ProblemKind::Error, "refused", Some("a.rs:1:1"), 1);
    s.add_problem(ProblemKind::Failure, "refused", Some("a.rs:1:1"), 1);
    s.add_problem(ProblemKind::Failure, "refused", Some("a.rs:1:1"), 1);
    s.add_problem(ProblemKind::Error, "refused", Some("b.rs:1:1"), 1);
    let sorted = s.problems_by_count();
    assert_eq!(sorted.len(), 3);
    assert_eq!((sorted[0].kind, sorted[0].count), (ProblemKind::Failure, 2));
}

#[test]
fn problem_groups_are_bounded_and_counts_stay_exact() {
    let mut s = Stats::default();
    for i in 0..(MAX_PROBLEM_GROUPS as u64 + 500) {
        s.add_problem(ProblemKind::Error, &format!("id {i}"), None, 1);
    }
    assert!(s.problems.len() <= MAX_PROBLEM_GROUPS);
    let total: u64 = s.problems.iter().map(|g| g.count).sum();
    assert_eq!(total, MAX_PROBLEM_GROUPS as u64 + 500);
}
