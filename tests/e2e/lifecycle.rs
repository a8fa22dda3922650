//! Whole runs: the default single hit, duration mode, a crashing test binary, Ctrl-C.

use std::time::Duration;

use loadcase_e2e::{Background, DemoServer, Run, finish, loadrun, run};

fn duration_of(run: &Run) -> f64 {
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Duration: "))
        .expect("a Duration line");
    line["Duration: ".len()..]
        .trim_end_matches(" seconds")
        .parse()
        .expect("seconds")
}

#[test]
fn no_schedule_runs_the_test_once() {
    let server = DemoServer::start_local();
    let run = run(&["fixture::get", "--server-url", &server.url("")]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 1);
    assert_eq!(server.counts().requests, 1);
}

#[test]
fn duration_mode_lasts_each_stage_and_counts_exactly() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::slow",
        "-u",
        "2:3",
        "-d",
        "1s",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let seconds = duration_of(&run);
    // Two stages of one second; hits running at a stage's end (50 ms each) finish first.
    assert!((2.0..2.5).contains(&seconds), "lasted {seconds} s:\n{run}");
    let hits = run.figure("Hits");
    assert_eq!(hits, server.counts().requests);
    // 2 users for 1 s and 3 users for 1 s at ~50 ms per hit: about 100 hits.
    assert!((60..=110).contains(&hits), "{hits} hits:\n{run}");
}

#[test]
fn a_crashing_test_binary_is_reported_with_what_it_sent() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::crash",
        "-u",
        "2",
        "-c",
        "200",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("crashed"), "{run}");
    assert!(
        run.stderr.contains("fixture: aborting on purpose"),
        "the binary's own output is shown: {run}"
    );
    let hits = run.figure("Hits");
    assert!(
        hits > 0 && hits <= server.counts().requests,
        "{hits} hits kept:\n{run}"
    );
    assert!(!run.stderr.contains("panicked at loadcase-runner"), "{run}");
    assert!(
        run.stdout
            .contains("Incomplete: the test binary ended without its final report"),
        "stdout says so too: {run}"
    );
}

#[test]
fn ctrl_c_stops_cleanly_prints_what_ran_and_exits_130() {
    let server = DemoServer::start_local();
    let args = [
        "fixture::slow",
        "-u",
        "5",
        "-d",
        "60s",
        "--server-url",
        &server.url(""),
    ];
    // The first status line means the load is running.
    let runner = Background::start_until(loadrun(&args), "fixture::slow ·");
    std::thread::sleep(Duration::from_millis(1500));
    runner.interrupt();
    let (run, took) = runner.finish();
    assert!(took < Duration::from_secs(10), "stopping took {took:?}");
    assert_eq!(run.code, 130, "{run}");
    assert!(run.stdout.contains("Interrupted"), "{run}");
    let hits = run.figure("Hits");
    assert!(hits > 0, "{run}");
    assert_eq!(
        hits,
        server.counts().requests,
        "hits running at Ctrl-C finish and are counted"
    );
}

#[test]
fn hits_still_running_after_the_grace_period_are_cancelled_and_counted() {
    let run = run(&["fixture::sleepy", "-u", "2", "-d", "1s"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Hits"), 0);
    assert!(
        run.stdout
            .contains("Cancelled: 2 (still running when a grace period ended"),
        "{run}"
    );
    let seconds = duration_of(&run);
    assert!(
        (6.0..7.5).contains(&seconds),
        "1 s stage + 5 s grace, lasted {seconds} s"
    );
}

#[test]
fn a_second_ctrl_c_kills_a_stuck_test_binary_and_exits_130() {
    let runner = Background::start_until(loadrun(&["fixture::stuck", "-u", "1"]), "fixture: stuck");
    runner.interrupt();
    std::thread::sleep(Duration::from_millis(500));
    runner.interrupt();
    let (run, took) = runner.finish();
    assert!(took < Duration::from_secs(10), "stopping took {took:?}");
    assert_eq!(run.code, 130, "{run}");
    assert!(
        run.stderr
            .contains("killed the test binary on the second Ctrl-C"),
        "{run}"
    );
}

#[test]
fn a_hit_that_never_yields_is_abandoned_and_the_run_still_ends() {
    let run = run(&["fixture::spin", "-u", "1", "-d", "1s"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("Cancelled: 1 "), "{run}");
    let seconds = duration_of(&run);
    // 1 s stage + 5 s grace + 1 s before abandoning, to the 250 ms tick.
    assert!((7.0..8.5).contains(&seconds), "lasted {seconds} s");
}

#[test]
fn one_ctrl_c_ends_even_a_stuck_hit_within_seconds() {
    let runner = Background::start_until(loadrun(&["fixture::stuck", "-u", "1"]), "fixture: stuck");
    runner.interrupt();
    let (run, took) = runner.finish();
    assert!(took < Duration::from_secs(6), "stopping took {took:?}");
    assert_eq!(run.code, 130, "{run}");
    assert!(run.stdout.contains("Cancelled: 1 "), "{run}");
}

#[test]
fn a_hit_blocking_in_thread_sleep_past_its_hit_timeout_is_no_success_and_the_run_ends() {
    // fixture::stuck sleeps 60 s in std::thread::sleep: the runtime cannot cancel it, so only
    // the watchdog can end the run, and it must not count the hit as a success.
    let run = run(&[
        "fixture::stuck",
        "-u",
        "1",
        "-c",
        "1",
        "--hit-timeout",
        "1s",
    ]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Success"), 0, "{run}");
    assert!(
        run.stdout.contains(
            "Cancelled: 1 (still running when a grace period ended, or held its worker thread \
             past --hit-timeout and was given up; not counted above)"
        ),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("held its worker thread past --hit-timeout 1s without yielding"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("Blocked worker threads:\n  fixture::stuck: "),
        "{run}"
    );
    let seconds = duration_of(&run);
    // The limit, a second more before abandoning, to the 250 ms tick.
    assert!((2.0..4.0).contains(&seconds), "lasted {seconds} s");
}

#[test]
fn a_busy_loop_under_hit_timeout_with_one_hit_ends() {
    let run = run(&["fixture::spin", "-u", "1", "-c", "1", "--hit-timeout", "2s"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Success"), 0, "{run}");
    assert!(run.stdout.contains("Cancelled: 1 "), "{run}");
    let seconds = duration_of(&run);
    assert!((3.0..5.0).contains(&seconds), "lasted {seconds} s");
}

#[test]
fn open_model_hits_due_on_a_thread_held_by_a_busy_loop_are_counted_dropped() {
    // Both worker threads end up held by a hit that never yields, so neither thread's
    // dispatcher can queue the rest of its hits: they are still due, and counted as dropped.
    let mut command = loadrun(&[
        "fixture::spin",
        "--rate",
        "20/s",
        "-d",
        "3s",
        "--hit-timeout",
        "1s",
    ]);
    command.env("LOADCASE_WORKER_THREADS", "2");
    let run = finish(command);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Success"), 0, "{run}");
    assert!(
        run.stdout.contains("Hits started: 2 of 60 due"),
        "every hit due is started or dropped: {run}"
    );
    let seconds = duration_of(&run);
    assert!(seconds < 8.0, "lasted {seconds} s");
}

#[test]
fn requests_in_flight_when_a_hit_times_out_are_in_the_table_as_errors_with_their_time() {
    let server = DemoServer::start_local();
    // /slow/50 answers after 50 ms: every request is still in flight at 20 ms.
    let run = run(&[
        "fixture::slow",
        "-u",
        "2",
        "-c",
        "2",
        "--hit-timeout",
        "20ms",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Errors"), 4, "{run}");
    assert_eq!(run.requests()["GET /slow/50"], (4, 4), "{run}");
    // Each was sent; on a loaded machine one may be cancelled before the server has read it.
    let seen = server.counts().requests;
    assert!((1..=4).contains(&seen), "the server saw {seen}: {run}");
    assert!(
        !run.stdout.contains("Average request time: 0.00s"),
        "the time they had taken counts: {run}"
    );
}
