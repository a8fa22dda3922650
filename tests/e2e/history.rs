//! The run history and `--compare`, through the real runner: runs of `example::test_es` (which
//! starts the demo server in its own process) recorded in a history file of each test's own.

use loadcase_e2e::{Run, TempDir, finish, history, loadrun_recorded};

/// `example::test_es -u 5 -c 4`, recorded in `file`, with `more` options.
fn test_es(file: &str, more: &[&str]) -> Run {
    let mut args = vec!["example::test_es", "-u", "5", "-c", "4", "--history", file];
    args.extend(more);
    finish(loadrun_recorded("examples/Cargo.toml", &args))
}

#[test]
fn runs_are_recorded_listed_summed_up_and_compared() {
    let dir = TempDir::new("recorded");
    let file = dir.path("history.sqlite");
    let first = test_es(&file, &[]);
    assert_eq!(first.code, 0, "{first}");
    assert!(!first.stdout.contains("Compared with"), "{first}");
    let second = test_es(&file, &["--compare", "last"]);
    assert_eq!(second.code, 0, "{second}");
    let stdout = &second.stdout;
    let summary_end = stdout.find("Requests: 20 (0 errors)").expect("the summary");
    let comparison = stdout
        .find("Compared with run #1 of ")
        .expect("the comparison");
    assert!(
        summary_end < comparison,
        "the comparison follows the summary:\n{second}"
    );
    for row in ["hits/s", "requests/s", "p95", "p95 GET /es"] {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("{row} "))),
            "no `{row}` row:\n{second}"
        );
    }
    assert!(
        stdout.contains("No regression beyond 10%.") || stdout.contains("Regressions beyond 10%:"),
        "{second}"
    );

    let listed = history(&["--history", &file]);
    assert_eq!(listed.code, 0, "{listed}");
    let lines: Vec<&str> = listed.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "a header and both runs:\n{listed}");
    assert!(lines[0].starts_with("id  started"), "{listed}");
    for (line, id) in lines[1..].iter().zip(["2", "1"]) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields[0], id, "newest first:\n{listed}");
        assert_eq!(fields[3], "example::test_es", "{listed}");
        assert_eq!(fields[4..9], ["-u", "5", "-c", "4", "20"], "{listed}");
        assert_eq!(
            fields[fields.len() - 2..],
            ["0", "0"],
            "errors, exit:\n{listed}"
        );
    }
    let one = history(&["--history", &file, "--limit", "1"]);
    assert_eq!(one.stdout.lines().count(), 2, "{one}");

    let weekly = history(&["--history", &file, "example::test_es", "--weekly"]);
    assert_eq!(weekly.code, 0, "{weekly}");
    let row: Vec<&str> = weekly
        .stdout
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(row[1..5], ["example::test_es", "2", "40", "40"], "{weekly}");
    let none = history(&["--history", &file, "example::test_ws"]);
    assert_eq!(none.code, 0, "{none}");
    assert!(
        none.stderr
            .contains("no runs of `example::test_ws` recorded"),
        "{none}"
    );
}

#[test]
fn a_baseline_that_is_not_there_stops_before_the_load() {
    let dir = TempDir::new("missing-baseline");
    let file = dir.path("history.sqlite");
    let no_history = test_es(&file, &["--compare", "last"]);
    assert_eq!(no_history.code, 2, "{no_history}");
    assert!(
        no_history
            .stderr
            .contains("no earlier complete run of `example::test_es`"),
        "{no_history}"
    );
    assert!(
        !no_history.stdout.contains("Hits:"),
        "it did not run:\n{no_history}"
    );

    assert_eq!(test_es(&file, &[]).code, 0);
    let unknown = test_es(&file, &["--compare", "99999"]);
    assert_eq!(unknown.code, 2, "{unknown}");
    assert!(
        unknown.stderr.contains("no run #99999 in the run history"),
        "{unknown}"
    );
    assert!(
        !unknown.stdout.contains("Hits:"),
        "it did not run:\n{unknown}"
    );
    let not_json = dir.path("not.json");
    std::fs::write(&not_json, "{\"hits\": 3}").unwrap();
    let bad_file = test_es(&file, &["--compare", &not_json]);
    assert_eq!(bad_file.code, 2, "{bad_file}");
    assert!(
        bad_file.stderr.contains("is not a loadcase JSON report"),
        "{bad_file}"
    );
    assert!(!bad_file.stdout.contains("Hits:"), "{bad_file}");
    // None of those was recorded.
    let listed = history(&["--history", &file]);
    assert_eq!(listed.stdout.lines().count(), 2, "{listed}");
}

#[test]
fn a_regression_against_a_json_report_fails_the_run_when_asked() {
    let dir = TempDir::new("regression");
    // A baseline in which every request took 1 µs: any real run is slower. Fields the
    // report type does not have (a later --report may add some) are ignored.
    let mut baseline = loadcase::Report {
        schema: loadcase::report::REPORT_SCHEMA,
        test: "example::test_es".into(),
        elapsed_secs: 1.0,
        ..loadcase::Report::default()
    };
    baseline.stats.hits.success = 20;
    let es = baseline.stats.requests.entry("GET /es".into()).or_default();
    for _ in 0..20 {
        es.count += 1;
        es.time.record(std::time::Duration::from_micros(1));
    }
    let mut json = serde_json::to_value(&baseline).unwrap();
    json["figures"] = serde_json::json!({"written by": "a newer --report"});
    let file = dir.path("baseline.json");
    std::fs::write(&file, json.to_string()).unwrap();

    let history_file = dir.path("history.sqlite");
    let compared = test_es(&history_file, &["--compare", &file]);
    assert_eq!(compared.code, 0, "flagged but not failed:\n{compared}");
    let p95 = compared
        .stdout
        .lines()
        .find(|l| l.starts_with("p95 GET /es"))
        .unwrap_or_else(|| panic!("{compared}"));
    assert!(p95.ends_with("REGRESSION"), "{compared}");
    assert!(
        compared
            .stdout
            .contains(&format!("Compared with {file} (example::test_es of"))
    );

    let failed = test_es(&history_file, &["--compare", &file, "--fail-on-regression"]);
    assert_eq!(failed.code, 4, "{failed}");
    assert!(
        failed.stdout.contains("Regressions beyond 10%:"),
        "{failed}"
    );
    // The exit code recorded is the one the run ended with.
    let listed = history(&["--history", &history_file]);
    let newest: Vec<&str> = listed
        .stdout
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(newest.last(), Some(&"4"), "{listed}");
}

#[test]
fn a_corrupt_history_is_a_warning_and_the_run_stands() {
    let dir = TempDir::new("corrupt");
    let file = dir.path("history.sqlite");
    let garbage = b"this is not an SQLite database, whatever its name says\n".repeat(100);
    std::fs::write(&file, &garbage).unwrap();
    let run = test_es(&file, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 20, "{run}");
    assert!(
        run.stderr.contains(&format!(
            "this run was not recorded: the run history {file} is corrupt or not an SQLite database"
        )),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("move it aside, or pass --history PATH / --no-history")
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        garbage,
        "the file is left as it was"
    );
    // Reading it is an error with the same message.
    let listed = history(&["--history", &file]);
    assert_eq!(listed.code, 2, "{listed}");
    assert!(
        listed
            .stderr
            .contains("is corrupt or not an SQLite database"),
        "{listed}"
    );
}
