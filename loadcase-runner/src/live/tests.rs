//! The pusher on its own: a push to a closed port is counted as failed within its tries. What
//! a real Prometheus reads back from real runs is in the e2e tests (tests/e2e/live.rs).

use std::net::TcpListener;
use std::time::{Duration, Instant};

use loadcase::Report;

use super::metrics::Identity;
use super::push::{Pusher, Sink};

#[test]
fn a_push_to_nowhere_is_counted_as_failed_and_takes_no_longer_than_its_tries() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let pusher = Pusher::start(
        Sink::RemoteWrite(format!("http://{closed}/api/v1/write")),
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

/// What a receiver of our own took: each request's path and content type, and its body.
#[cfg(feature = "otlp")]
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String, Vec<u8>)>>>;

/// An OTLP/HTTP receiver of our own on a free loopback port, answering 200 to every POST.
#[cfg(feature = "otlp")]
fn receiver() -> (String, Received) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received: Received = Default::default();
    let kept = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let (mut head, mut length, mut kind) = (String::new(), 0, String::new());
            reader.read_line(&mut head).unwrap();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap(),
                    "content-type" => kind = value.trim().to_owned(),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let path = head
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            kept.lock().unwrap().push((path, kind, body));
            let _ = reader
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, received)
}

#[cfg(feature = "otlp")]
#[test]
fn the_otlp_export_a_receiver_takes_holds_the_reports_figures() {
    let (endpoint, received) = receiver();
    let mut report = Report {
        started_unix_ms: 1_700_000_000_000,
        ..Report::default()
    };
    report.stats.hits.success = 41;
    report.stats.hits.errors = 1;
    report.stats.counters.insert("carts".into(), 7);
    let row = report.stats.requests.entry("GET /x".into()).or_default();
    row.count = 43;
    row.statuses = [(200, 40), (503, 2)].into();
    for ms in 1..=43 {
        row.time.record(Duration::from_millis(ms));
    }
    let pusher = Pusher::start(
        Sink::Otlp(format!("{endpoint}/")),
        Duration::from_secs(60),
        Identity {
            run_id: "r-otlp".into(),
            test: "t::x".into(),
            segment: "2/3".into(),
        },
    );
    pusher.update(&report, 3);
    let pushed = pusher.finish(&report);
    assert_eq!((pushed.ok, pushed.failed), (1, 0), "{pushed:?}");
    let received = received.lock().unwrap();
    let (path, kind, body) = received.last().unwrap();
    assert_eq!(path, "/v1/metrics");
    assert_eq!(kind, "application/json");
    let export: serde_json::Value = serde_json::from_slice(body).unwrap();
    let resource = &export["resourceMetrics"][0];
    let attribute = |key: &str| {
        resource["resource"]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == key)
            .map(|a| a["value"]["stringValue"].clone())
    };
    assert_eq!(attribute("loadcase.run_id"), Some("r-otlp".into()));
    assert_eq!(attribute("loadcase.segment"), Some("2/3".into()));
    let metrics = resource["scopeMetrics"][0]["metrics"].as_array().unwrap();
    let metric = |name: &str| metrics.iter().find(|m| m["name"] == name).unwrap().clone();
    let int = |v: &serde_json::Value| v.as_str().unwrap().parse::<u64>().unwrap();
    let total = |name: &str| -> u64 {
        metric(name)["sum"]["dataPoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| int(&p["asInt"]))
            .sum()
    };
    assert_eq!(metric("loadcase.hits")["sum"]["aggregationTemporality"], 2);
    assert_eq!(total("loadcase.hits"), 42);
    assert_eq!(
        total("loadcase.requests"),
        43,
        "40 + 2 answered, 1 with none"
    );
    assert_eq!(total("loadcase.counter"), 7);
    let point = &metric("loadcase.request.duration")["histogram"]["dataPoints"][0];
    assert_eq!(int(&point["count"]), 43);
    let buckets: Vec<u64> = point["bucketCounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(int)
        .collect();
    let bounds = point["explicitBounds"].as_array().unwrap();
    assert_eq!(buckets.len(), bounds.len() + 1);
    assert_eq!(buckets.iter().sum::<u64>(), 43, "each time in one bucket");
    // 1..=43 ms: 25 at most 25 ms, of which 10 at most 10 ms, 5 at most 5 ms.
    let upto = |bound: f64| -> u64 {
        let i = bounds
            .iter()
            .position(|b| b.as_f64() == Some(bound))
            .unwrap();
        buckets[..=i].iter().sum()
    };
    assert_eq!((upto(0.005), upto(0.01), upto(0.025)), (5, 10, 25));
    assert_eq!(point["startTimeUnixNano"], "1700000000000000000");
    let sum = point["sum"].as_f64().unwrap();
    assert!((sum - 0.946).abs() < 0.002, "{sum}");
}
