//! Watching and steering runs through the real runner: a detached run listed, attached to and
//! stopped (summary, report, history entry and webhook notice, all against the server's count,
//! no secret anywhere); a killed run shown as stale without blocking the next; figures pushed to
//! a real Prometheus equal to the report and the server's count, for one run and for two
//! segments of one; an endpoint that is down or hangs changes neither figures nor exit code.

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use loadcase_e2e::prometheus::prometheus_or_skip;
use loadcase_e2e::webhook::Webhook;
use loadcase_e2e::{
    Background, DemoServer, Run, TempDir, finish, loadrun, runner, signal, workspace,
};

/// Where this test's runs keep their directories: its own, so that `ps` sees its runs only.
const RUNS_ENV: &str = "LOADCASE_RUNS";

/// `cargo loadrun ARGS` with the runs of `runs`.
fn runs_command(runs: &TempDir, args: &[&str]) -> Command {
    let mut command = Command::new(runner());
    command
        .arg("loadrun")
        .args(args)
        .current_dir(workspace())
        .env(RUNS_ENV, runs.dir())
        .stdin(std::process::Stdio::null());
    command
}

/// A load test command of the fixture package, with the runs of `runs`.
fn load(runs: &TempDir, args: &[&str]) -> Command {
    let mut command = loadrun(args);
    command.env(RUNS_ENV, runs.dir());
    command
}

/// A load test command of the fixture package that records its run in the history it is given.
fn load_recorded(runs: &TempDir, args: &[&str]) -> Command {
    let mut command = loadcase_e2e::loadrun_recorded("tests/Cargo.toml", args);
    command.env(RUNS_ENV, runs.dir());
    command
}

/// The id and runner pid that `--detach` printed.
fn detached(run: &Run) -> (String, u32) {
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("goes on in the background"))
        .unwrap_or_else(|| panic!("no detached line in:\n{run}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let id = words[words.iter().position(|w| *w == "run").expect("run ID") + 1].to_owned();
    let pid = line
        .rsplit("(pid ")
        .next()
        .and_then(|rest| rest.trim_end_matches(')').parse().ok())
        .unwrap_or_else(|| panic!("no pid in `{line}`"));
    (id, pid)
}

/// Every file under `dir`, as text.
fn every_file(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(every_file(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    out
}

#[test]
fn a_detached_run_is_listed_attached_to_and_stopped_with_its_summary_reports_history_and_notice() {
    let server = DemoServer::start_local();
    let runs = TempDir::new("live-detach");
    let hook = Webhook::start();
    let (history, json) = (runs.path("history.sqlite"), runs.path("report.json"));
    let url = server.url("").replace("http://", "http://ann:s3cret-pw@");
    let started = finish(load_recorded(
        &runs,
        &[
            "--history",
            &history,
            "fixture::steady",
            "-u",
            "2",
            "-d",
            "60s",
            "--server-url",
            &url,
            "--report",
            &json,
            "--notify",
            hook.url(),
            "--detach",
        ],
    ));
    assert_eq!(started.code, 0, "{started}");
    let (id, _) = detached(&started);
    assert!(
        started
            .stdout
            .contains(&format!("cargo loadrun attach {id}")),
        "{started}"
    );

    let ps = finish(runs_command(&runs, &["ps"]));
    let row = ps.stdout.lines().find(|l| l.starts_with(&id));
    assert!(
        row.is_some_and(|r| r.contains("running") && r.contains("fixture::steady")),
        "{ps}"
    );

    // Attached a second into the run: the rate comes from the run's cumulative snapshot, so it
    // is the run's, not what happened since attaching (Loads showed 0 here).
    std::thread::sleep(Duration::from_secs(1));
    let attach = Background::start_until(runs_command(&runs, &["attach", &id]), "hits/s");
    attach.interrupt();
    let (attached, _) = attach.finish();
    assert_eq!(attached.code, 0, "{attached}");
    let rate_line = attached
        .stderr
        .lines()
        .find(|l| l.contains("hits/s"))
        .expect("a status line");
    let rate: f64 = rate_line
        .split(" · ")
        .find_map(|part| part.strip_suffix(" hits/s"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no rate in `{rate_line}`"));
    assert!(rate > 0.0, "{rate_line}");
    assert!(
        attached
            .stderr
            .contains(&format!("detached: run {id} goes on")),
        "{attached}"
    );

    let stopped = finish(runs_command(&runs, &["stop", &id]));
    assert_eq!(
        stopped.code, 130,
        "interrupted, as a Ctrl-C would: {stopped}"
    );
    let hits = stopped.figure("Hits");
    assert!(hits > 0, "{stopped}");
    assert_eq!(hits, server.counts().requests, "{stopped}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the report")).unwrap();
    assert_eq!(report["interrupted"], true);
    let listed = loadcase_e2e::history(&["--history", &history]);
    assert_eq!(
        listed.stdout.lines().skip(1).count(),
        1,
        "one history entry: {listed}"
    );

    let notices = hook.bodies();
    assert_eq!(notices.len(), 1, "one notice per run: {notices:?}");
    let notice: serde_json::Value = serde_json::from_str(&notices[0]).unwrap();
    assert_eq!(notice["verdict"], "interrupted", "{notice}");
    assert_eq!(notice["exit_code"], 130);
    assert_eq!(notice["test"], "fixture::steady");
    assert_eq!(notice["run_id"], id.as_str());
    assert_eq!(notice["figures"]["hits"], hits);
    let ended = finish(runs_command(&runs, &["ps"]));
    assert!(
        ended
            .stdout
            .lines()
            .any(|l| l.starts_with(&id) && l.contains("ended (130)")),
        "{ended}"
    );

    for (path, text) in every_file(runs.dir())
        .into_iter()
        .chain([("notice".into(), notices[0].clone())])
    {
        assert!(!text.contains("s3cret-pw"), "the URL's password in {path}");
    }
}

#[test]
fn a_killed_run_is_stale_and_blocks_no_other() {
    let server = DemoServer::start_local();
    let runs = TempDir::new("live-stale");
    let url = server.url("");
    let started = finish(load(
        &runs,
        &[
            "fixture::steady",
            "-u",
            "1",
            "-d",
            "60s",
            "--server-url",
            &url,
            "--detach",
        ],
    ));
    assert_eq!(started.code, 0, "{started}");
    let (id, pid) = detached(&started);
    signal(pid, "KILL");
    let deadline = Instant::now() + Duration::from_secs(10);
    while loadcase_e2e::running(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let ps = finish(runs_command(&runs, &["ps"]));
    assert!(
        ps.stdout
            .lines()
            .any(|l| l.starts_with(&id) && l.contains("stale")),
        "{ps}"
    );
    let attached = finish(runs_command(&runs, &["attach", &id]));
    assert_eq!(attached.code, 1, "{attached}");
    assert!(attached.stderr.contains("is stale"), "{attached}");

    let next = finish(load(
        &runs,
        &["fixture::get", "-u", "2", "-c", "3", "--server-url", &url],
    ));
    assert_eq!(next.code, 0, "{next}");
    let ps = finish(runs_command(&runs, &["ps"]));
    assert!(ps.stdout.contains("ended (0)"), "{ps}");
    assert!(
        ps.stdout
            .lines()
            .any(|l| l.starts_with(&id) && l.contains("stale")),
        "{ps}"
    );
}

#[test]
fn prometheus_reads_the_reports_figures_for_a_run_and_for_two_segments_of_one() {
    let Some(prometheus) = prometheus_or_skip(
        "prometheus_reads_the_reports_figures_for_a_run_and_for_two_segments_of_one",
    ) else {
        return;
    };
    let server = DemoServer::start_local();
    let runs = TempDir::new("live-prometheus");
    let hook = Webhook::start();
    let (url, write) = (server.url(""), prometheus.write_url());
    let json = runs.path("whole.json");
    let whole = finish(load(
        &runs,
        &[
            "fixture::get",
            "-u",
            "4",
            "-c",
            "25",
            "--server-url",
            &url,
            "--prometheus-remote-write",
            &write,
            "--push-every",
            "1s",
            "--report",
            &json,
            "--notify",
            hook.url(),
        ],
    ));
    assert_eq!(whole.code, 0, "{whole}");
    assert!(
        whole.stdout.contains("Prometheus remote-write: "),
        "{whole}"
    );
    assert!(whole.stdout.contains(" 0 failed"), "{whole}");
    let served = server.counts().requests;
    assert_eq!(served, 100);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let q = |promql: &str| prometheus.query(promql);
    assert_eq!(
        q(r#"sum(loadcase_hits_total{test="fixture::get"})"#),
        Some(served as f64)
    );
    assert_eq!(
        q(r#"sum(loadcase_hits_total{test="fixture::get", outcome="success"})"#),
        Some(report["stats"]["hits"]["success"].as_u64().unwrap() as f64)
    );
    assert_eq!(
        q(r#"sum(loadcase_requests_total{test="fixture::get", status="200"})"#),
        Some(served as f64)
    );
    assert_eq!(
        q(r#"sum(loadcase_request_duration_seconds_count{test="fixture::get"})"#),
        Some(served as f64)
    );
    let notices = hook.bodies();
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice: serde_json::Value = serde_json::from_str(&notices[0]).unwrap();
    assert_eq!(notice["verdict"], "passed");
    assert_eq!(notice["figures"]["hits"], served);

    // Two segments of one run, pushed to the same Prometheus: PromQL sums them.
    let before = server.counts().requests;
    for segment in ["1/2", "2/2"] {
        let run = finish(load(
            &runs,
            &[
                "fixture::get",
                "-u",
                "3",
                "-c",
                "10",
                "--server-url",
                &url,
                "--segment",
                segment,
                "--run-id",
                "prom-2",
                "--prometheus-remote-write",
                &write,
                "--report",
                &runs.path(&format!("seg-{}.json", &segment[..1])),
            ],
        ));
        assert_eq!(run.code, 0, "{run}");
    }
    let split = server.counts().requests - before;
    assert_eq!(split, 30, "3 users of 10 hits over two segments");
    assert_eq!(
        q(r#"sum(loadcase_hits_total{run_id="prom-2"})"#),
        Some(split as f64)
    );
    assert_eq!(
        q(r#"count(loadcase_hits_total{run_id="prom-2", outcome="success"})"#),
        Some(2.0)
    );
    assert_eq!(
        q(r#"sum(loadcase_request_duration_seconds_count{run_id="prom-2"})"#),
        Some(split as f64)
    );
    let p50 = q(
        r#"histogram_quantile(0.5, sum by (le) (loadcase_request_duration_seconds_bucket{run_id="prom-2"}))"#,
    );
    assert!(p50.is_some_and(|p| p > 0.0 && p < 1.0), "{p50:?}");
}

#[test]
fn an_endpoint_that_is_down_or_hangs_changes_neither_figures_nor_exit_code() {
    let server = DemoServer::start_local();
    let runs = TempDir::new("live-down");
    let url = server.url("");
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // Accepts and never answers.
    let hanging = TcpListener::bind("127.0.0.1:0").unwrap();
    let hanging_url = format!("http://{}/api/v1/write", hanging.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in hanging.incoming().flatten() {
            held.push(stream);
        }
    });
    for (endpoint, notify) in [
        (
            format!("http://{closed}/api/v1/write"),
            format!("http://{closed}/hook"),
        ),
        (
            hanging_url.clone(),
            hanging_url.replace("/api/v1/write", "/hook"),
        ),
    ] {
        let before = server.counts().requests;
        let started = Instant::now();
        let run = finish(load(
            &runs,
            &[
                "fixture::get",
                "-u",
                "2",
                "-c",
                "20",
                "--server-url",
                &url,
                "--prometheus-remote-write",
                &endpoint,
                "--notify",
                &notify,
            ],
        ));
        assert_eq!(run.code, 0, "{endpoint}: {run}");
        assert_eq!(run.figure("Hits"), 40, "{run}");
        assert_eq!(server.counts().requests - before, 40, "{run}");
        assert!(run.stdout.contains("0 pushes accepted"), "{run}");
        assert!(run.stdout.contains("Notified: 0 of 1 webhook"), "{run}");
        assert!(run.stderr.contains("warning: --notify"), "{run}");
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_merge_sends_one_notice_of_the_merged_run() {
    let server = DemoServer::start_local();
    let runs = TempDir::new("live-merge-notice");
    let hook = Webhook::start();
    let url = server.url("");
    for segment in ["1/2", "2/2"] {
        let report = runs.path(&format!("seg-{}.json", &segment[..1]));
        let run = finish(load(
            &runs,
            &[
                "fixture::get",
                "-u",
                "3",
                "-c",
                "4",
                "--server-url",
                &url,
                "--segment",
                segment,
                "--run-id",
                "notice-2",
                "--report",
                &report,
            ],
        ));
        assert_eq!(run.code, 0, "{run}");
    }
    let merged = finish(runs_command(
        &runs,
        &[
            "merge",
            &runs.path(""),
            "--expect",
            "2",
            "--no-history",
            "--notify",
            hook.url(),
        ],
    ));
    assert_eq!(merged.code, 0, "{merged}");
    assert!(
        merged.stdout.contains("Notified: 1 of 1 webhook"),
        "{merged}"
    );
    let notices = hook.bodies();
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice: serde_json::Value = serde_json::from_str(&notices[0]).unwrap();
    assert_eq!(notice["verdict"], "passed");
    assert_eq!(notice["run_id"], "notice-2");
    assert_eq!(notice["figures"]["hits"], 12);
    assert_eq!(server.counts().requests, 12);
}
