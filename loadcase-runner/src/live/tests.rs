//! Against a real Prometheus (Debian's `prometheus`, started here with its remote-write receiver
//! on a free loopback port): what the pusher writes, PromQL reads back exactly. Skipped with a
//! message where no `prometheus` is installed, unless `LOADCASE_REQUIRE_PROMETHEUS=1` (set by
//! `.ci/run`) requires it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use loadcase::Report;

use super::metrics::Identity;
use super::push::Pusher;

/// A Prometheus of this test's own, stopped when dropped.
pub struct Prometheus {
    child: Child,
    /// Its base URL.
    pub url: String,
    dir: std::path::PathBuf,
}

impl Prometheus {
    /// Starts one, or says why it cannot.
    pub fn start() -> Result<Prometheus, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let dir =
            std::env::temp_dir().join(format!("loadcase-prometheus-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::fs::write(
            dir.join("prometheus.yml"),
            "global:\n  scrape_interval: 1h\n",
        )
        .map_err(|e| e.to_string())?;
        let child = Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--web.enable-remote-write-receiver")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start prometheus: {e}"))?;
        let mut prometheus = Prometheus {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        let started = Instant::now();
        while prometheus.get("/-/ready").is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                return Err("prometheus did not get ready within 30 s".into());
            }
            if let Ok(Some(status)) = prometheus.child.try_wait() {
                return Err(format!("prometheus exited: {status}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(prometheus)
    }

    fn get(&self, path: &str) -> Result<String, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let response = reqwest::get(format!("{}{path}", self.url))
                .await
                .map_err(|e| e.to_string())?;
            if !response.status().is_success() {
                return Err(response.status().to_string());
            }
            response.text().await.map_err(|e| e.to_string())
        })
    }

    /// The value of an instant PromQL query that gives one number.
    pub fn query(&self, promql: &str) -> Option<f64> {
        let mut url = reqwest::Url::parse(&format!("{}/api/v1/query", self.url)).ok()?;
        url.query_pairs_mut().append_pair("query", promql);
        let text = self.get(&format!("/api/v1/query?{}", url.query()?)).ok()?;
        let answer: serde_json::Value = serde_json::from_str(&text).ok()?;
        answer["data"]["result"][0]["value"][1]
            .as_str()?
            .parse()
            .ok()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Prometheus, or `None` (with a message) where there is none and none is required.
pub fn prometheus_or_skip(test: &str) -> Option<Prometheus> {
    match Prometheus::start() {
        Ok(prometheus) => Some(prometheus),
        Err(why) if std::env::var("LOADCASE_REQUIRE_PROMETHEUS").is_ok_and(|v| v == "1") => {
            panic!("{test}: Prometheus is required (LOADCASE_REQUIRE_PROMETHEUS=1): {why}")
        }
        Err(why) => {
            eprintln!("{test}: skipped: {why} (install Debian's prometheus to run it)");
            None
        }
    }
}

#[test]
fn what_is_pushed_prometheus_reads_back_exactly() {
    let Some(prometheus) = prometheus_or_skip("what_is_pushed_prometheus_reads_back_exactly")
    else {
        return;
    };
    let mut report = Report::default();
    report.stats.hits.success = 41;
    report.stats.hits.errors = 1;
    let row = report.stats.requests.entry("GET /x".into()).or_default();
    row.count = 42;
    row.statuses = [(200, 40), (503, 2)].into();
    for ms in 1..=42 {
        row.time.record(Duration::from_millis(ms));
    }
    let segments: Vec<Pusher> = ["1/2", "2/2"]
        .iter()
        .map(|segment| {
            Pusher::start(
                format!("{}/api/v1/write", prometheus.url),
                Duration::from_millis(200),
                Identity {
                    run_id: "r-test".into(),
                    test: "t::x".into(),
                    segment: (*segment).into(),
                },
            )
        })
        .collect();
    for pusher in &segments {
        pusher.update(&report, 3);
    }
    std::thread::sleep(Duration::from_millis(500));
    for pusher in segments {
        let pushed = pusher.finish(&report);
        assert!(pushed.ok >= 1 && pushed.failed == 0, "{pushed:?}");
    }
    // Two segments of the same figures: the sums are twice each one's.
    let q = |promql: &str| prometheus.query(promql);
    assert_eq!(
        q(r#"sum(loadcase_hits_total{run_id="r-test"})"#),
        Some(84.0)
    );
    assert_eq!(
        q(r#"sum(loadcase_requests_total{run_id="r-test", status="503"})"#),
        Some(4.0)
    );
    assert_eq!(
        q(r#"sum(loadcase_request_duration_seconds_count{run_id="r-test"})"#),
        Some(84.0)
    );
    assert_eq!(
        q(r#"sum(loadcase_request_duration_seconds_bucket{run_id="r-test", le="0.025"})"#),
        Some(50.0),
        "25 of each segment's 42 at most 25 ms"
    );
    let p50 = q(r#"histogram_quantile(0.5, sum by (le) (loadcase_request_duration_seconds_bucket{run_id="r-test"}))"#)
        .unwrap();
    assert!(
        (0.01..0.025).contains(&p50),
        "p50 {p50} from the summed buckets"
    );
}

#[test]
fn a_push_to_nowhere_is_counted_as_failed_and_takes_no_longer_than_its_tries() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let pusher = Pusher::start(
        format!("http://{closed}/api/v1/write"),
        Duration::from_secs(60),
        Identity {
            run_id: "r".into(),
            test: "t".into(),
            segment: "1/1".into(),
        },
    );
    let started = Instant::now();
    let pushed = pusher.finish(&Report::default());
    assert_eq!((pushed.ok, pushed.failed), (0, 1), "{pushed:?}");
    assert!(pushed.last_error.unwrap().contains("error sending request"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
