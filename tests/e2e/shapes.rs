//! Load shapes against a server that counts arrivals: ramps, pauses, `--stages`, the open model's
//! rate, dropped hits and coordinated-omission-corrected latency under a stall, think time and
//! timeouts.

use std::path::PathBuf;
use std::time::Duration;

use loadcase::Report;
use loadcase_e2e::{Background, DemoServer, finish, loadrun, run};

fn report_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loadcase-e2e-{}-shapes", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.json"))
}

fn read(path: &PathBuf) -> Report {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Most users active in each whole second of the run.
fn users_by_second(report: &Report) -> Vec<u64> {
    report.series.iter().map(|s| s.active_users).collect()
}

#[test]
fn a_ramp_starts_users_over_time_and_the_series_follows() {
    let server = DemoServer::start_local();
    let path = report_path("ramp");
    let run = run(&[
        "fixture::get",
        "-u",
        "20",
        "-d",
        "4s",
        "--ramp-up",
        "3s",
        "--think",
        "50ms",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let report = read(&path);
    let users = users_by_second(&report);
    assert_eq!(users.iter().max(), Some(&20), "{users:?}");
    assert!(
        users[0] < 15,
        "users start over 3 s, not at once: {users:?}"
    );
    // Seconds of the run: the first has a third of the users at most, so fewer hits.
    let hits: Vec<u64> = report.series.iter().map(|s| s.hits).collect();
    let busiest = hits.iter().max().copied().unwrap_or(0);
    assert!(
        hits[0] * 2 < busiest,
        "the first second of the ramp has fewer than half the hits of the busiest: {hits:?}"
    );
    assert_eq!(server.counts().requests, report.stats.request_count());

    let random = loadcase_e2e::run(&[
        "fixture::get",
        "-u",
        "8",
        "-c",
        "2",
        "--ramp-up",
        "1s",
        "--ramp",
        "random",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(random.code, 0, "{random}");
    assert_eq!(random.figure("Hits"), 16, "{random}");
}

#[test]
fn stages_with_a_pause_run_every_hit_with_no_user_in_the_pause() {
    let server = DemoServer::start_local();
    let path = report_path("pause");
    let run = run(&[
        "fixture::get",
        "-u",
        "3:5",
        "-c",
        "4",
        "--stage-pause",
        "2s",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 32, "{run}");
    assert_eq!(server.counts().requests, 32);
    let report = read(&path);
    assert!(
        report.elapsed_secs >= 2.0,
        "the pause is part of the run: {}",
        report.elapsed_secs
    );
    assert!(
        users_by_second(&report).contains(&0),
        "a whole second of the pause had no user: {:?}",
        users_by_second(&report)
    );
}

#[test]
fn stages_targets_add_and_retire_users_who_finish_their_hit() {
    let server = DemoServer::start_local();
    let path = report_path("targets");
    let run = run(&[
        "fixture::slow",
        "--stages",
        "10@2s, 10@1s, 0@2s",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let report = read(&path);
    let users = users_by_second(&report);
    assert_eq!(users.iter().max(), Some(&10), "{users:?}");
    assert!(
        users[0] < 10,
        "users are added over the first 2 s: {users:?}"
    );
    let peak = users.iter().position(|&u| u == 10).unwrap();
    assert!(
        users[peak..].iter().any(|&u| u < 10),
        "users are removed on the way down: {users:?}"
    );
    assert_eq!(
        report.stats.hits.cancelled, 0,
        "removed users finish their hit"
    );
    assert_eq!(report.stats.hits.total(), server.counts().requests);
    assert!(run.stdout.contains("Success: "), "{run}");
}

#[test]
fn the_open_model_holds_its_rate_to_one_percent() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::get",
        "--rate",
        "200/s",
        "-d",
        "10s",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let counts = server.counts();
    assert_eq!(counts.requests, 2000, "10 s at 200/s: {run}");
    assert_eq!(run.figure("Hits"), 2000);
    let rate = counts.arrival_rate().unwrap();
    // For the record (`-- --nocapture`).
    eprintln!(
        "server: {} requests, {rate:.3}/s between first and last arrival, per second {:?}\n{}",
        counts.requests, counts.arrivals_per_second, run.stdout
    );
    assert!(
        (rate - 200.0).abs() / 200.0 < 0.01,
        "the server saw {rate:.2} requests/s between the first and last arrival; per second: {:?}",
        counts.arrivals_per_second
    );
    assert!(
        run.stdout
            .contains("Hits started: 2000 of 2000 due (200.0 hits/s"),
        "{run}"
    );
    assert!(!run.stdout.contains("Dropped"), "{run}");
}

#[test]
fn hits_that_find_no_free_user_in_time_are_dropped_and_counted() {
    let server = DemoServer::start_local();
    let path = report_path("dropped");
    // Two users of 50 ms hits manage 40 hits/s at most; 100/s are due.
    let run = run(&[
        "fixture::slow",
        "--rate",
        "100/s",
        "-d",
        "2s",
        "--max-users",
        "2",
        "--max-delay",
        "100ms",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "dropped hits are shown, not failures: {run}");
    let hits = read(&path).stats.hits;
    assert!(hits.dropped >= 50, "{run}");
    assert_eq!(
        hits.total() + hits.cancelled + hits.dropped,
        200,
        "every hit due is started or dropped"
    );
    assert_eq!(server.counts().requests, hits.total() + hits.cancelled);
    assert_eq!(run.figure("Dropped"), hits.dropped);
    assert!(run.stdout.contains("2 users at most was busy"), "{run}");
    assert!(
        run.stderr.contains("dropped"),
        "the progress shows it: {run}"
    );
}

#[test]
fn fewer_users_allowed_than_worker_threads_still_run_every_hit() {
    let server = DemoServer::start_local();
    let path = report_path("one-user-two-threads");
    // Each worker thread takes its own share of the hits with users of its own: one user
    // allowed, on two threads, must not leave the other thread's half with no user to drop
    // them for.
    let mut command = loadrun(&[
        "fixture::get",
        "--rate",
        "50/s",
        "-d",
        "2s",
        "--max-users",
        "1",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    command.env("LOADCASE_WORKER_THREADS", "2");
    let run = finish(command);
    assert_eq!(run.code, 0, "{run}");
    let hits = read(&path).stats.hits;
    assert_eq!((hits.success, hits.dropped), (100, 0), "{run}");
    assert_eq!(server.counts().requests, 100);
}

#[test]
fn the_generators_own_timer_lateness_is_left_out_of_the_corrected_time() {
    let server = DemoServer::start_local();
    let path = report_path("timer-lateness");
    // At 200/s the dispatcher sleeps between hits, and tokio wakes it on millisecond ticks: each
    // hit goes out up to a millisecond or two after it was due with no user busy. Counted, that
    // put about 1 ms into every corrected time (the median was 1.0 ms against a 0.2 ms hit).
    let run = run(&[
        "fixture::get",
        "--rate",
        "200/s",
        "-d",
        "2s",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let hits = read(&path).stats.hits;
    assert_eq!(hits.total(), 400, "{run}");
    let corrected = hits.corrected.quantile(0.5);
    let raw = hits.time.quantile(0.5);
    assert!(
        corrected >= raw,
        "the corrected time is never below the hit time: {corrected:?} {raw:?}"
    );
    assert!(
        corrected <= raw + Duration::from_micros(300),
        "corrected p50 {corrected:?} against the hit time's {raw:?}: no user was busy, so no hit waited for one\n{run}"
    );
}

#[test]
fn a_server_stall_shows_in_corrected_latency_and_hides_in_the_raw_one() {
    let server = DemoServer::start_local();
    let path = report_path("stall");
    let command = loadrun(&[
        "fixture::get",
        "--rate",
        "100/s",
        "-d",
        "6s",
        "--max-users",
        "2",
        "--max-delay",
        "5s",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    let background = Background::start_until(command, "stage 1/1");
    std::thread::sleep(Duration::from_secs(2));
    server.stall(Duration::from_secs(1));
    let (run, _) = background.finish();
    assert_eq!(run.code, 0, "{run}");
    // For the record (`-- --nocapture`): the figures this test checks.
    eprintln!("{}", run.stdout);
    let hits = read(&path).stats.hits;
    assert_eq!(hits.dropped, 0, "{run}");
    assert_eq!(hits.total(), 600, "{run}");
    let corrected = hits.corrected.quantile(0.99);
    let raw = hits.time.quantile(0.99);
    assert!(
        corrected >= Duration::from_millis(800),
        "corrected p99 {corrected:?} shows the 1 s stall\n{run}"
    );
    assert!(
        raw < Duration::from_millis(500),
        "raw p99 {raw:?} hides it: only the 2 hits in flight waited\n{run}"
    );
    assert!(run.stdout.contains("Hit time, corrected"), "{run}");
    assert!(run.stdout.contains("Hit time, raw service time"), "{run}");
}

#[test]
fn think_time_paces_users_and_is_left_out_of_hit_times() {
    let server = DemoServer::start_local();
    let path = report_path("think");
    let run = run(&[
        "fixture::thinker",
        "-u",
        "2",
        "-c",
        "3",
        "--think",
        "200ms..250ms",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let report = read(&path);
    assert_eq!(server.counts().requests, 12);
    assert!(
        report.elapsed_secs >= 0.4 + 3.0 * 0.3,
        "two pauses between three hits, and cx.think in each: {}",
        report.elapsed_secs
    );
    assert!(
        report.stats.hits.time.max() < Duration::from_millis(300),
        "cx.think's 300 ms is not hit time: {:?}",
        report.stats.hits.time.max()
    );
}

#[test]
fn hit_and_request_timeouts_cancel_and_name_themselves() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::sleepy",
        "-u",
        "2",
        "-c",
        "2",
        "--hit-timeout",
        "300ms",
    ]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Errors"), 4, "{run}");
    assert!(
        run.stdout.contains("cancelled after 300ms (--hit-timeout)"),
        "{run}"
    );

    let slow = loadcase_e2e::run(&[
        "fixture::slow",
        "-u",
        "1",
        "-c",
        "2",
        "--request-timeout",
        "10ms",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(slow.code, 1, "{slow}");
    assert_eq!(slow.figure("Errors"), 2, "{slow}");
    assert!(slow.stdout.to_lowercase().contains("timed out"), "{slow}");
}

#[test]
fn malformed_shapes_are_usage_errors_before_any_build() {
    for (args, says) in [
        (
            &["--rate", "0/s", "-d", "1s"][..],
            "--rate: `0/s` is not a rate",
        ),
        (&["--rate", "10/s"][..], "--rate needs a length"),
        (&["--stages", "10"][..], "is not USERS@DURATION"),
        (&["--stages", "0@1s"][..], "never has a user"),
        (&["--stages", "5@1s", "-u", "5"][..], "exclude each other"),
        (
            &["--think", "5s..1s"][..],
            "--think: `5s..1s` is not a pause",
        ),
        (
            &["--max-users", "5"][..],
            "--max-users needs the open model",
        ),
        (
            &["--ramp-up", "1s", "--ramp", "sideways"][..],
            "--ramp: `sideways`",
        ),
        (
            &["-u", "2", "-d", "1s", "--ramp-up", "5s"][..],
            "longer than each stage",
        ),
        (
            &["--rate", "5/s", "-d", "1s", "--think", "1s"][..],
            "exclude each other",
        ),
        (
            &["--hit-timeout", "soon"][..],
            "--hit-timeout: `soon` is not a duration",
        ),
    ] {
        let mut all = vec!["fixture::get"];
        all.extend_from_slice(args);
        let run = run(&all);
        assert_eq!(run.code, 2, "{args:?}: {run}");
        assert!(
            run.stderr.contains(says),
            "{args:?} should say `{says}`: {run}"
        );
        assert!(
            !run.stderr.contains("Compiling"),
            "{args:?} built first: {run}"
        );
    }
}

#[test]
fn rate_stages_ramp_the_rate_and_start_exactly_the_hits_due() {
    let server = DemoServer::start_local();
    let path = report_path("rate-stages");
    let run = run(&[
        "fixture::get",
        "--rate-stages",
        "50/s@2s, 100/s@2s",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    // 0 → 50/s over 2 s is 50 hits, 50 → 100/s over 2 s is 150.
    let counts = server.counts();
    assert_eq!(counts.requests, 200, "{run}");
    assert_eq!(run.figure("Hits"), 200);
    // Seconds of the run: about 12, 37, 62 and 87 hits.
    let per_second: Vec<u64> = read(&path).series.iter().map(|s| s.hits).collect();
    assert!(
        per_second[0] * 3 < per_second[3],
        "the rate rises: {per_second:?}"
    );
    assert!(
        run.stdout.contains("--rate-stages '50/s@2s, 100/s@2s'"),
        "{run}"
    );
}
