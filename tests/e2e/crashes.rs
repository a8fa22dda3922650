//! A test binary that dies — `std::process::exit`, an abort, a stack overflow — in its first
//! second or later: the summary and every report are made from what it had reported, name how
//! it died, and count no more than the server received.

use loadcase::Report;
use loadcase_e2e::{DemoServer, Run, TempDir, finish, loadrun};

/// What a crashed run left: the run, the server's count of `GET /es`, the JSON report and the
/// request log's lines.
struct Crashed {
    run: Run,
    served: u64,
    report: Report,
    junit: String,
    logged: u64,
}

/// `fixture::crash_on_timer` with 2 users for at most 20 s, dying by `how` after `after_ms`,
/// with every report and the request log on.
fn crash(how: &str, after_ms: u64) -> Crashed {
    let server = DemoServer::start_local();
    let dir = TempDir::new(&format!("crash-{how}-{after_ms}"));
    let (json, junit, log) = (dir.path("r.json"), dir.path("r.xml"), dir.path("r.jsonl"));
    let (html, csv) = (dir.path("r.html"), dir.path("r.csv"));
    let mut command = loadrun(&[
        "fixture::crash_on_timer",
        "-u",
        "2",
        "-d",
        "20s",
        "--server-url",
        &server.url(""),
        "--report",
        &json,
        "--report",
        &junit,
        "--report",
        &html,
        "--report",
        &csv,
        "--log-requests",
        &log,
    ]);
    command
        .env("LOADCASE_E2E_CRASH", how)
        .env("LOADCASE_E2E_CRASH_AFTER_MS", after_ms.to_string());
    let run = finish(command);
    let served = server
        .counts()
        .by_route
        .get("GET /es")
        .copied()
        .unwrap_or(0);
    for file in [&json, &junit, &html, &csv, &log] {
        assert!(std::path::Path::new(file).is_file(), "no {file}:\n{run}");
    }
    let report: Report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap())
        .unwrap_or_else(|e| panic!("{json}: {e}\n{run}"));
    let logged = std::fs::read_to_string(&log).unwrap().lines().count() as u64;
    Crashed {
        junit: std::fs::read_to_string(&junit).unwrap(),
        run,
        served,
        report,
        logged,
    }
}

/// The checks every crash must pass; `cause` is how the summary names the end.
fn check(crashed: &Crashed, cause: &str) {
    let Crashed {
        run,
        served,
        report,
        junit,
        logged,
    } = crashed;
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains(&format!(
            "the test binary of `fixture::crash_on_timer` crashed: it {cause}"
        )),
        "{run}"
    );
    assert!(
        run.stdout.contains(&format!(
            "Stopped early: the test binary crashed: it {cause}"
        )),
        "the summary names the cause: {run}"
    );
    assert!(run.stdout.contains("Incomplete: "), "{run}");
    let hits = run.figure("Hits");
    assert!(hits > 0, "hits were reported before the crash:\n{run}");
    assert!(
        hits <= *served,
        "{hits} hits, the server saw {served}:\n{run}"
    );
    assert_eq!(
        report.stats.hits.total(),
        hits,
        "the JSON report is the summary's"
    );
    let requests = report.stats.requests["GET /es"].count;
    assert!(
        (hits..=*served).contains(&requests),
        "{requests} requests in the report, {hits} hits, {served} served"
    );
    assert!(report.interrupted);
    // The log holds what was flushed, after the last snapshot too; the report says how much.
    assert_eq!(report.logged_requests, Some(*logged), "{run}");
    assert!(
        (requests..=*served).contains(logged),
        "{logged} logged, {requests} in the last snapshot, {served} served"
    );
    assert!(
        run.stderr
            .contains(&format!("request log: {logged} requests written to")),
        "{run}"
    );
    let doc = roxmltree::Document::parse(junit).unwrap();
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a JUnit failure");
    let message = failure.attribute("message").unwrap();
    assert!(message.contains(cause), "{message}");
}

#[test]
fn an_exit_in_the_first_second_leaves_the_summary_and_every_report() {
    check(&crash("exit", 600), "exited with code 3");
}

#[test]
fn an_abort_in_the_first_second_leaves_the_summary_and_every_report() {
    check(&crash("abort", 600), "was killed by signal 6 (SIGABRT");
}

#[test]
fn a_stack_overflow_in_the_first_second_leaves_the_summary_and_every_report() {
    let crashed = crash("overflow", 600);
    check(&crashed, "was killed by signal 6 (SIGABRT");
    assert!(
        crashed.run.stderr.contains("has overflowed its stack"),
        "{}",
        crashed.run
    );
}

#[test]
fn a_crash_after_seconds_leaves_the_summary_and_every_report() {
    let crashed = crash("abort", 3000);
    check(&crashed, "was killed by signal 6 (SIGABRT");
    assert!(
        crashed.report.elapsed_secs >= 2.0,
        "the last snapshot is at most a second old: {}",
        crashed.report.elapsed_secs
    );
}
