//! The control API: a [`Run`] started in the background against the demo server counting on
//! loopback, its snapshots streamed, stopped from inside the stream, its final report checked
//! against what the server saw.

use std::time::{Duration, Instant};

use loadcase::{Context, Plan, Report, Run, Snapshots, Test, TestResult};
use loadcase_examples::DemoServer;

async fn get_es(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

fn start(args: &str, server: &DemoServer) -> Run {
    let mut plan: Plan = args.parse().unwrap();
    plan.server_url = Some(server.url(""));
    Run::start(vec![(Test::new("run::get_es", get_es), 1)], plan)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// Every report a stream gives, to its end; at most `limit` of them.
async fn collect(mut stream: Snapshots, limit: usize) -> Vec<(Report, bool)> {
    let mut seen = Vec::new();
    while let Some(data) = stream.next().await {
        seen.push((data.report, data.is_final));
        assert!(seen.len() <= limit, "the stream goes on past {limit}");
    }
    seen
}

#[test]
fn the_stream_yields_growing_snapshots_then_the_final_report_once() {
    let server = DemoServer::start_local();
    let run = start("-u 2 -d 2500ms --think 10ms", &server);
    let mut stream = run.snapshots(Duration::from_millis(400));
    // Its `next` can run on any runtime's worker, a spawned task's included.
    fn sendable<T: Send>(_: &T) {}
    sendable(&stream.next());
    let seen = runtime().block_on(collect(stream, 20));
    let report = run.wait();

    let (running, last) = seen.split_at(seen.len() - 1);
    assert!(
        running.len() >= 2,
        "{} snapshots before the end",
        running.len()
    );
    assert!(running.iter().all(|(_, is_final)| !is_final));
    assert!(last[0].1, "the last one is the final report");
    let hits: Vec<u64> = seen.iter().map(|(r, _)| r.stats.hits.total()).collect();
    let elapsed: Vec<f64> = seen.iter().map(|(r, _)| r.elapsed_secs).collect();
    assert!(hits.windows(2).all(|w| w[0] <= w[1]), "{hits:?}");
    assert!(elapsed.windows(2).all(|w| w[0] <= w[1]), "{elapsed:?}");
    assert!(hits[0] > 0, "{hits:?}");

    assert_eq!(last[0].0.stats.hits.total(), report.stats.hits.total());
    assert_eq!(report.stats.hits.success, server.counts().requests);
    assert!(!report.interrupted);
}

#[test]
fn stop_from_inside_the_stream_ends_an_open_ended_run_soon() {
    let server = DemoServer::start_local();
    let started = Instant::now();
    let run = start("-u 2 -d 30s --think 10ms", &server);
    let (snapshots, final_hits) = runtime().block_on(async {
        let mut stream = run.snapshots(Duration::from_millis(300));
        let mut snapshots = 0;
        while let Some(data) = stream.next().await {
            if data.is_final {
                return (snapshots, Some(data.report.stats.hits.success));
            }
            snapshots += 1;
            if data.report.elapsed_secs >= 1.0 {
                run.stop();
            }
            assert!(snapshots < 40, "still running after the stop");
        }
        (snapshots, None)
    });
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
    assert!(snapshots >= 1);
    let latest = run.latest().expect("the final report, once ended");
    let report = run.wait();
    assert!(report.interrupted);
    assert!(report.elapsed_secs < 5.0, "{}", report.elapsed_secs);
    assert_eq!(final_hits, Some(report.stats.hits.success));
    assert_eq!(report.stats.hits.success, server.counts().requests);
    assert_eq!(latest.stats.hits.total(), report.stats.hits.total());
    assert_eq!(latest.elapsed_secs, report.elapsed_secs);
}

#[test]
fn two_streams_of_one_run_each_go_at_their_pace_and_get_the_final_report() {
    let server = DemoServer::start_local();
    let run = start("-u 2 -d 1500ms --think 10ms", &server);
    let (fast, slow) = (
        run.snapshots(Duration::from_millis(250)),
        run.snapshots(Duration::from_millis(700)),
    );
    let (fast, slow) =
        runtime().block_on(async { tokio::join!(collect(fast, 40), collect(slow, 40)) });
    let report = run.wait();
    for (name, seen) in [("fast", &fast), ("slow", &slow)] {
        let finals: Vec<&Report> = seen.iter().filter(|(_, f)| *f).map(|(r, _)| r).collect();
        assert_eq!(finals.len(), 1, "{name}: one final report");
        assert!(seen.last().unwrap().1, "{name}: the final one comes last");
        assert_eq!(finals[0].stats.hits.total(), report.stats.hits.total());
    }
    assert!(fast.len() > slow.len(), "{} vs {}", fast.len(), slow.len());
}

#[test]
fn latest_and_wait_need_nobody_to_take_events() {
    let server = DemoServer::start_local();
    let run = start("-u 2 -d 1200ms --think 10ms", &server);
    assert!(
        run.latest().is_none(),
        "no snapshot before the first second"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !run.is_finished() {
        assert!(Instant::now() < deadline, "the run does not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    let progress = run.progress().expect("progress was published");
    let latest = run.latest().expect("the final report");
    // A stream made after the end gives the final report at once.
    let started = Instant::now();
    let seen = runtime().block_on(collect(run.snapshots(Duration::from_secs(30)), 1));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(seen.len() == 1 && seen[0].1);
    let report = run.wait();
    assert_eq!(latest.stats.hits.total(), report.stats.hits.total());
    assert_eq!(seen[0].0.stats.hits.total(), report.stats.hits.total());
    assert_eq!(progress.hits, report.stats.hits.total());
    assert_eq!(report.stats.hits.success, server.counts().requests);
}

#[test]
#[should_panic(expected = "needs an interval above zero")]
fn a_zero_interval_is_refused() {
    let server = DemoServer::start_local();
    let run = start("-u 1 -c 1", &server);
    let _ = run.snapshots(Duration::ZERO);
}

#[test]
fn the_end_of_the_run_wakes_a_waiting_stream_at_once() {
    let server = DemoServer::start_local();
    let started = Instant::now();
    let run = start("-u 2 -d 1s --think 10ms", &server);
    let seen = runtime().block_on(collect(run.snapshots(Duration::from_secs(60)), 1));
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert!(seen.len() == 1 && seen[0].1, "only the final report");
    assert_eq!(seen[0].0.stats.hits.total(), run.wait().stats.hits.total());
}
