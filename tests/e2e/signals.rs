//! Signals from outside: `timeout -s INT` (the runner and its group signalled at once), two
//! Ctrl-Cs, SIGKILL of the test binary, SIGKILL of the runner. Each run is checked against the
//! server's count, and the request log's lines against it too.

use std::time::{Duration, Instant};

use loadcase::Report;
use loadcase_e2e::{
    Background, DemoServer, TempDir, finish, history, loadrun_recorded, running, signal, under,
};

/// Lines in a JSON-lines file.
fn lines(path: &str) -> u64 {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .count() as u64
}

/// The requests to `GET /es` the server has answered.
fn served(server: &DemoServer) -> u64 {
    server
        .counts()
        .by_route
        .get("GET /es")
        .copied()
        .unwrap_or(0)
}

/// A recorded 60 s run of `test` with 2 users against a server of its own, with a history, a
/// request log, a JSON and a JUnit report in a directory of its own.
struct Recorded {
    server: DemoServer,
    dir: TempDir,
}

impl Recorded {
    /// The run's outputs, and the command that runs it.
    fn new(test: &str, name: &str) -> (Recorded, std::process::Command) {
        let server = DemoServer::start_local();
        let dir = TempDir::new(name);
        let (url, file) = (server.url(""), dir.path("h.sqlite"));
        let (log, json, junit) = (dir.path("r.jsonl"), dir.path("r.json"), dir.path("r.xml"));
        let args = [
            test,
            "-u",
            "2",
            "-d",
            "60s",
            "--server-url",
            &url,
            "--history",
            &file,
            "--log-requests",
            &log,
            "--report",
            &json,
            "--report",
            &junit,
        ];
        let command = loadrun_recorded("tests/Cargo.toml", &args);
        (Recorded { server, dir }, command)
    }

    /// The JSON report.
    fn report(&self) -> Report {
        serde_json::from_str(&std::fs::read_to_string(self.dir.path("r.json")).unwrap()).unwrap()
    }

    /// The request log's lines.
    fn logged(&self) -> u64 {
        lines(&self.dir.path("r.jsonl"))
    }

    /// The history's listing, which holds one run with `code`.
    fn recorded_once(&self, code: &str) {
        let listed = history(&["--history", &self.dir.path("h.sqlite")]);
        assert_eq!(listed.code, 0, "{listed}");
        let runs: Vec<&str> = listed.stdout.lines().skip(1).collect();
        assert_eq!(runs.len(), 1, "one run recorded:\n{listed}");
        assert!(runs[0].trim_end().ends_with(code), "{listed}");
    }
}

#[test]
fn timeout_s_int_is_one_interruption_the_run_is_recorded_and_nothing_is_lost() {
    // `timeout` signals the runner, then its own process group, which the runner is in: two
    // SIGINTs at once. Twice, as the race it used to lose was one run in six.
    for attempt in 0..2 {
        let (recorded, command) = Recorded::new("fixture::steady", &format!("timeout-{attempt}"));
        let started = Instant::now();
        let run = finish(under(
            &["timeout", "--preserve-status", "-s", "INT", "4"],
            &command,
        ));
        assert!(started.elapsed() < Duration::from_secs(15), "{run}");
        assert_eq!(run.code, 130, "{run}");
        assert!(
            !run.stderr.contains("killed the test binary"),
            "one stop, not a kill: {run}"
        );
        assert!(run.stdout.contains("Interrupted"), "{run}");
        let hits = run.figure("Hits");
        assert!(hits > 0, "{run}");
        // Stopped cleanly: the final report, every request in it and in the log.
        assert_eq!(hits, served(&recorded.server), "{run}");
        assert_eq!(recorded.logged(), hits, "{run}");
        assert_eq!(recorded.report().logged_requests, Some(hits));
        recorded.recorded_once("130");
    }
}

#[test]
fn a_second_ctrl_c_kills_the_binary_and_the_run_is_still_recorded_as_interrupted() {
    let (recorded, mut command) = Recorded::new("fixture::half_stuck", "two-ctrl-c");
    command.env("LOADCASE_WORKER_THREADS", "2");
    let runner = Background::start_until(command, "fixture: stuck");
    // Long enough for the other user's hits to reach a snapshot.
    std::thread::sleep(Duration::from_millis(1500));
    runner.interrupt();
    // The stop cannot end the stuck hit; a second Ctrl-C, well after the first, kills.
    std::thread::sleep(Duration::from_millis(800));
    runner.interrupt();
    let (run, took) = runner.finish();
    assert!(took < Duration::from_secs(10), "stopping took {took:?}");
    assert_eq!(run.code, 130, "{run}");
    assert!(
        run.stderr
            .contains("killed the test binary on the second Ctrl-C"),
        "{run}"
    );
    let hits = run.figure("Hits");
    let served = served(&recorded.server);
    assert!(
        hits > 0 && hits <= served,
        "{hits} hits, {served} served:\n{run}"
    );
    assert!(run.stdout.contains("Incomplete: "), "{run}");
    let report = recorded.report();
    assert!(report.interrupted);
    let logged = recorded.logged();
    assert_eq!(report.logged_requests, Some(logged));
    assert!(
        (hits..=served).contains(&logged),
        "{logged} logged, {hits} in the last snapshot, {served} served"
    );
    recorded.recorded_once("130");
}

#[test]
fn sigkill_of_the_test_binary_leaves_summary_reports_and_the_harvested_log() {
    let (recorded, command) = Recorded::new("fixture::steady", "kill-binary");
    let runner = Background::start_until(command, "fixture: loading");
    std::thread::sleep(Duration::from_millis(2500));
    signal(runner.test_binary("steady"), "KILL");
    let (run, took) = runner.finish();
    assert!(took < Duration::from_secs(10), "{run}");
    assert_eq!(run.code, 2, "{run}");
    let cause = "was killed by signal 9 (SIGKILL";
    assert!(
        run.stdout.contains(&format!(
            "Stopped early: the test binary crashed: it {cause}"
        )),
        "{run}"
    );
    let hits = run.figure("Hits");
    let served = served(&recorded.server);
    let logged = recorded.logged();
    // What the log keeps: every harvest flushed, up to the last quarter of a second.
    eprintln!(
        "SIGKILL of the test binary: {logged} lines logged, {served} requests served, {hits} hits in the last snapshot"
    );
    assert!(
        hits > 0 && hits <= served,
        "{hits} hits, {served} served:\n{run}"
    );
    assert!(
        (hits..=served).contains(&logged),
        "{logged} logged, {hits} in the last snapshot, {served} served"
    );
    assert_eq!(recorded.report().logged_requests, Some(logged));
    let junit = std::fs::read_to_string(recorded.dir.path("r.xml")).unwrap();
    assert!(junit.contains(cause), "{junit}");
}

#[test]
fn sigkill_of_the_runner_leaves_no_load_behind() {
    let (recorded, command) = Recorded::new("fixture::steady", "kill-runner");
    let runner = Background::start_until(command, "fixture: loading");
    std::thread::sleep(Duration::from_millis(1000));
    let binary = runner.test_binary("steady");
    signal(runner.pid(), "KILL");
    let _ = runner.finish();
    // The binary hears its side channel close, stops, gives running hits their grace, and exits.
    let killed = Instant::now();
    while running(binary) && killed.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !running(binary),
        "the test binary {binary} still runs {:?} after its runner was killed",
        killed.elapsed()
    );
    let ended_in = killed.elapsed();
    eprintln!("SIGKILL of the runner: its test binary exited {ended_in:?} after");
    let after_exit = served(&recorded.server);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        served(&recorded.server),
        after_exit,
        "no request after the binary exited"
    );
    assert!(after_exit > 0);
    assert!(
        ended_in < Duration::from_secs(5),
        "ended {ended_in:?} after the kill"
    );
}
