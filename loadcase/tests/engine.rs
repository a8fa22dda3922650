//! The engine without the runner, against the demo server counting on loopback.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use loadcase::{Context, Control, Plan, Progress, Test, TestResult};
use loadcase_examples::DemoServer;

async fn get_es(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    cx.incr(&format!("user {}", cx.user()));
    Ok(())
}

fn get_es_test() -> Test {
    Test::new("engine::get_es", get_es)
}

fn plan(users: &str, hits: Option<&str>, duration: Option<&str>, server: &DemoServer) -> Plan {
    let mut plan = Plan::parse(Some(users), hits, duration).unwrap();
    plan.server_url = Some(server.url(""));
    plan
}

#[test]
fn stages_run_every_hit_and_the_server_saw_each_one() {
    let server = DemoServer::start_local();
    let progress = Mutex::new(Vec::<Progress>::new());
    let report = loadcase::run(
        &get_es_test(),
        &plan("3:5", Some("4"), None, &server),
        &Control::default(),
        &mut |p, _| {
            progress.lock().unwrap().push(p.clone());
        },
    );
    assert_eq!(report.stats.hits.success, 32);
    assert_eq!(report.stats.requests["GET /es"].count, 32);
    assert_eq!(server.counts().requests, 32);
    // Users are numbered across stages, each ran all its hits.
    for user in 0..8 {
        assert_eq!(
            report.stats.counters[&format!("user {user}")],
            4,
            "user {user}"
        );
    }
    let last = progress.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (last.stage, last.stages, last.hits, last.planned_hits),
        (2, 2, 32, Some(32))
    );
    assert!(!report.interrupted);
    assert!(report.elapsed_secs > 0.0);
    // Each stage's own figures: 3 users × 4 hits, then 5 × 4.
    let stages: Vec<u64> = report.stages.iter().map(|s| s.stats.hits.success).collect();
    assert_eq!(stages, [12, 20]);
    assert!(report.stages[1].started_secs >= report.stages[0].started_secs);
    assert_eq!(report.stages[1].stats.requests["GET /es"].count, 20);
}

#[test]
fn stop_ends_a_run_early_counts_what_ran_and_marks_it_interrupted() {
    let server = DemoServer::start_local();
    let control = Control::default();
    let stopper = control.clone();
    let started = Instant::now();
    let thread = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        stopper.stop();
    });
    let report = loadcase::run(
        &get_es_test(),
        &plan("4", None, Some("60s"), &server),
        &control,
        &mut |_, _| {},
    );
    thread.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(report.interrupted);
    assert!(report.stats.hits.success > 0);
    assert_eq!(report.stats.hits.success, server.counts().requests);
}

#[test]
fn snapshots_while_running_carry_the_elapsed_time() {
    let server = DemoServer::start_local();
    let mut elapsed = Vec::new();
    let report = loadcase::run(
        &get_es_test(),
        &plan("2", None, Some("800ms"), &server),
        &Control::default(),
        &mut |_, so_far| {
            elapsed.push(so_far.elapsed_secs);
        },
    );
    assert!(elapsed.len() >= 3, "{elapsed:?}");
    assert!(
        elapsed[0] > 0.0 && elapsed.windows(2).all(|w| w[0] <= w[1]),
        "{elapsed:?}"
    );
    assert!(
        (0.8..2.0).contains(&report.elapsed_secs),
        "{}",
        report.elapsed_secs
    );
}

#[test]
fn the_request_log_is_on_disk_with_every_harvest_not_only_at_the_end() {
    let server = DemoServer::start_local();
    let dir = std::env::temp_dir().join(format!("loadcase-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("requests.jsonl");
    let mut plan = plan("2", None, Some("1500ms"), &server);
    plan.log = Some(loadcase::plan::LogSpec {
        path: path.clone(),
        redact_headers: Vec::new(),
    });
    // While the run goes on, the file already holds what the last harvests logged.
    let mut seen_while_running = Vec::new();
    let report = loadcase::run(
        &get_es_test(),
        &plan,
        &Control::default(),
        &mut |_, so_far| {
            let lines = std::fs::read_to_string(&path).map_or(0, |t| t.lines().count() as u64);
            let logged = so_far.logged_requests.unwrap_or(0);
            assert!(
                lines >= logged,
                "{lines} lines on disk, {logged} said to be written"
            );
            seen_while_running.push(lines);
        },
    );
    let lines = std::fs::read_to_string(&path).unwrap().lines().count() as u64;
    assert_eq!(Some(lines), report.logged_requests);
    assert_eq!(lines, server.counts().requests);
    assert!(
        seen_while_running.iter().any(|&l| l > 0 && l < lines),
        "entries reach the disk during the run: {seen_while_running:?} of {lines}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_plan_too_big_for_memory_starts_nothing_and_says_why() {
    let started = Instant::now();
    let plan: Plan = "-u 1000000000 -c 1".parse().unwrap();
    let report = loadcase::run(&get_es_test(), &plan, &Control::default(), &mut |_, _| {});
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(report.stats.hits.total(), 0);
    let problem = &report.stats.problems[0].message;
    assert!(
        problem.contains("1000000000 users at once would need up to"),
        "{problem}"
    );
}

async fn waits_on_a_slow_server(cx: &mut Context) -> TestResult {
    cx.app.get("/slow/3000").await?;
    Ok(())
}

#[test]
fn requests_in_flight_when_their_hit_is_cancelled_are_counted_with_their_time() {
    let server = DemoServer::start_local();
    let mut plan = plan("3", Some("1"), None, &server);
    plan.hit_timeout = Some(Duration::from_millis(400));
    let test = Test::new("engine::waits_on_a_slow_server", waits_on_a_slow_server);
    let report = loadcase::run(&test, &plan, &Control::default(), &mut |_, _| {});
    assert_eq!(report.stats.hits.errors, 3, "{:?}", report.stats.problems);
    assert_eq!(server.counts().requests, 3, "the server got each of them");
    let row = &report.stats.requests["GET /slow/3000"];
    assert_eq!((row.count, row.errors), (3, 3), "counted, as errors");
    let took = row.time.quantile(0.5);
    assert!(
        (Duration::from_millis(350)..Duration::from_secs(2)).contains(&took),
        "with the time they had taken: {took:?}"
    );
}
