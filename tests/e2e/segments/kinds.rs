//! Everything a run counts besides its hits — custom counters, WebSocket counts, status codes,
//! grouped errors — merged from segments into what one machine counts for the whole plan.

use loadcase_e2e::{finish, loadrun};
use serde_json::Value;

use super::{Split, all_ran, indexed_job, json, merge, path, split, start_in};

/// What of a report's stats must be the same however the plan was split: problem groups in
/// order of message, since each process meets them in its own order.
fn counted(report: &Value) -> Vec<Value> {
    let stats = &report["stats"];
    let mut problems: Vec<Value> = stats["problems"].as_array().expect("problems").clone();
    problems.sort_by_key(|p| p["message"].to_string());
    let hits = &stats["hits"];
    vec![
        serde_json::json!([hits["success"], hits["errors"], hits["failures"]]),
        stats["status_codes"].clone(),
        stats["counters"].clone(),
        stats["websockets"].clone(),
        Value::Array(problems),
    ]
}

#[test]
fn counters_websockets_statuses_and_errors_merge_into_the_whole_runs() {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("fixture::every_kind", "kinds");
    let plan = ["-u", "6", "-c", "4", "--server-url", &url];
    let whole_json = reports.join("whole.json");
    let mut alone = vec!["fixture::every_kind"];
    alone.extend(plan);
    alone.extend(["--report", path(&whole_json), "-q"]);
    let whole = finish(loadrun(&alone));
    assert_eq!(whole.code, 1, "failed hits: {whole}");
    let sent = server.counts().requests;

    let at = start_in(4);
    let mut args = vec!["fixture::every_kind"];
    args.extend(plan);
    args.extend(["--run-id", "kinds", "--start-at", &at]);
    let runs = indexed_job(&dir, &reports, 3, &args);
    all_ran(&runs);
    assert_eq!(
        server.counts().requests,
        2 * sent,
        "the split sent what one run sent"
    );
    let merged_json = reports.join("merged.json");
    // The whole run's own report in the directory is not a segment's: passed over.
    let (junit, csv) = (reports.join("merged.xml"), reports.join("merged.csv"));
    let merged = merge(&[
        path(&reports),
        "--report",
        path(&merged_json),
        "--report",
        path(&junit),
        "--report",
        path(&csv),
    ]);
    assert_eq!(merged.code, 1, "failed hits, judged as one run's: {merged}");
    assert!(merged.stdout.contains("3 of 3 merged"), "{merged}");

    let (whole, merged) = (json(&whole_json), json(&merged_json));
    let expected = counted(&whole);
    assert_eq!(counted(&merged), expected);
    // Not an empty agreement: 6 users of 4 hits, one of each kind each.
    assert_eq!(expected[0], serde_json::json!([12, 0, 12]), "{whole}");
    assert_eq!(whole["stats"]["status_codes"]["503"], 6);
    assert_eq!(whole["stats"]["counters"]["user 0"], 8);
    assert_eq!(whole["stats"]["websockets"]["opened"], 6);
    assert_eq!(whole["stats"]["websockets"]["messages_sent"], 6);
    // The other formats are the merged run's too.
    let junit = std::fs::read_to_string(&junit).expect("the JUnit report");
    assert!(
        junit.contains(r#"<testsuites name="cargo loadrun" tests="1" failures="1""#),
        "{junit}"
    );
    let csv = std::fs::read_to_string(&csv).expect("the CSV report");
    let row = csv
        .lines()
        .find(|l| l.contains("GET /status/503"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(
        row.contains(",6,6,1.000000,"),
        "6 requests, 6 errors: {row}"
    );
}
