//! Hits that hold their worker thread — a busy loop, a blocking sleep — under `--hit-timeout`:
//! the run still ends, such a hit is never a success, and the stall is counted against its test.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use loadcase::{Context, Control, Plan, Test, TestResult};

/// Lets the busy loops end once their run has, so that they do not spin for the rest of the
/// test process.
static RELEASE: AtomicBool = AtomicBool::new(false);

async fn spins(_cx: &mut Context) -> TestResult {
    while !RELEASE.load(Ordering::Relaxed) {
        std::hint::spin_loop();
    }
    Ok(())
}

async fn sleeps_blocking(_cx: &mut Context) -> TestResult {
    std::thread::sleep(Duration::from_millis(1500));
    Ok(())
}

async fn naps(_cx: &mut Context) -> TestResult {
    tokio::time::sleep(Duration::from_millis(5)).await;
    Ok(())
}

/// One test function, so that the worker count is set before any other thread runs: users that
/// share one worker thread are what a stall is about.
#[test]
fn hits_that_hold_their_worker_thread() {
    // SAFETY: no other thread of this process exists yet to read the environment.
    unsafe { std::env::set_var("LOADCASE_WORKER_THREADS", "1") };
    a_hit_that_never_yields_is_abandoned_and_the_run_ends();
    a_blocking_hit_past_its_timeout_is_an_error_not_a_success();
    a_stall_is_counted_against_the_test_that_held_the_worker();
}

fn a_hit_that_never_yields_is_abandoned_and_the_run_ends() {
    let plan: Plan = "-u 1 -c 1 --hit-timeout 500ms".parse().unwrap();
    let started = Instant::now();
    let report = loadcase::run(
        &Test::new("watchdog::spins", spins),
        &plan,
        &Control::default(),
        &mut |_, _| {},
    );
    RELEASE.store(true, Ordering::Relaxed);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let stats = &report.stats;
    assert_eq!(stats.hits.success, 0);
    assert_eq!(stats.hits.cancelled, 1, "{:?}", stats.problems);
    assert!(
        stats.problems[0]
            .message
            .contains("held its worker thread past --hit-timeout")
    );
    assert!(stats.stalls.count >= 1);
    assert!(stats.stalls.longest_secs >= 1.0, "{:?}", stats.stalls);
}

fn a_blocking_hit_past_its_timeout_is_an_error_not_a_success() {
    let plan: Plan = "-u 1 -c 2 --hit-timeout 1s".parse().unwrap();
    let report = loadcase::run(
        &Test::new("watchdog::sleeps_blocking", sleeps_blocking),
        &plan,
        &Control::default(),
        &mut |_, _| {},
    );
    let stats = &report.stats;
    assert_eq!(
        (stats.hits.success, stats.hits.errors),
        (0, 2),
        "{:?}",
        stats.problems
    );
    assert!(
        stats.problems[0]
            .message
            .starts_with("overran --hit-timeout 1s without yielding"),
        "{:?}",
        stats.problems
    );
    assert_eq!(stats.stalls.count, 2, "each hit held the worker once");
}

fn a_stall_is_counted_against_the_test_that_held_the_worker() {
    let plan: Plan = "-u 2 -c 3".parse().unwrap();
    let blocking = Test::new("watchdog::sleeps_blocking", sleeps_blocking);
    let napping = Test::new("watchdog::naps", naps);
    let report = loadcase::run_mix(
        &[(&blocking, 1), (&napping, 1)],
        &plan,
        &Control::default(),
        &mut |_, _| {},
    );
    assert_eq!(report.stats.hits.success, 6, "{:?}", report.stats.problems);
    let of = |test: &str| &report.by_test[test].stalls;
    assert_eq!(of("watchdog::sleeps_blocking").count, 3);
    assert!(of("watchdog::sleeps_blocking").longest_secs >= 1.0);
    assert_eq!(
        of("watchdog::naps").count,
        0,
        "the napping user only waited"
    );
}
