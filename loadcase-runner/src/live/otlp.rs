//! OpenTelemetry export (`--otlp-endpoint URL`, with the `otlp` feature): the same figures as the
//! Prometheus push, as an OTLP/HTTP `ExportMetricsServiceRequest` in OTLP's JSON encoding, POSTed
//! to `URL/v1/metrics`. Cumulative temporality throughout, so that the last export equals the
//! report and exports of several segments add up; request times as explicit-bucket histograms on
//! the Prometheus push's bounds; at most as many request names as that push exports.

use std::time::Duration;

use loadcase::Report;
use loadcase::report::Histogram;
use serde_json::{Value, json};

use super::metrics::{BUCKETS, Identity, exported};

/// The path OTLP/HTTP receivers take metrics on, below the endpoint.
pub const METRICS_PATH: &str = "/v1/metrics";

/// The export of `report` (cumulative since `start_ms`) with `active` users running now, at
/// `now_ms`.
pub fn body(who: &Identity, report: &Report, active: u64, start_ms: u64, now_ms: u64) -> Vec<u8> {
    let at = Times {
        start: (start_ms as u128 * 1_000_000).to_string(),
        now: (now_ms as u128 * 1_000_000).to_string(),
    };
    let stats = &report.stats;
    let hits = &stats.hits;
    let mut metrics = vec![
        sum(
            "loadcase.hits",
            "hits ended, by outcome",
            [
                ("success", hits.success),
                ("error", hits.errors),
                ("failure", hits.failures),
                ("cancelled", hits.cancelled),
            ]
            .iter()
            .map(|(outcome, n)| point(&at, &[("outcome", outcome)], *n))
            .collect(),
        ),
        sum(
            "loadcase.dropped_hits",
            "open-model arrivals dropped",
            vec![point(&at, &[], hits.dropped)],
        ),
        json!({
            "name": "loadcase.active_users",
            "description": "users running now",
            "gauge": { "dataPoints": [point(&at, &[], active)] },
        }),
        histogram("loadcase.hit.duration", vec![buckets(&at, &[], &hits.time)]),
    ];
    let rows = exported(stats);
    let mut requests = Vec::new();
    let mut durations = Vec::new();
    for (name, row) in &rows {
        let answered: u64 = row.statuses.values().sum();
        for (status, n) in &row.statuses {
            requests.push(point(
                &at,
                &[("name", name), ("status", &status.to_string())],
                *n,
            ));
        }
        if row.count > answered {
            requests.push(point(
                &at,
                &[("name", name), ("status", "none")],
                row.count - answered,
            ));
        }
        durations.push(buckets(&at, &[("name", name)], &row.time));
    }
    metrics.push(sum(
        "loadcase.requests",
        "requests, by name and status",
        requests,
    ));
    metrics.push(histogram("loadcase.request.duration", durations));
    let ws = &stats.websockets;
    metrics.push(sum(
        "loadcase.websocket.messages",
        "WebSocket messages, each way",
        vec![
            point(&at, &[("direction", "sent")], ws.messages_sent),
            point(&at, &[("direction", "received")], ws.messages_received),
        ],
    ));
    metrics.push(sum(
        "loadcase.websocket.bytes",
        "WebSocket bytes, each way",
        vec![
            point(&at, &[("direction", "sent")], ws.bytes_sent),
            point(&at, &[("direction", "received")], ws.bytes_received),
        ],
    ));
    metrics.push(sum(
        "loadcase.counter",
        "the test's own counters",
        stats
            .counters
            .iter()
            .map(|(counter, n)| point(&at, &[("counter", counter)], *n))
            .collect(),
    ));
    let resource = [
        ("service.name", "loadcase"),
        ("loadcase.run_id", who.run_id.as_str()),
        ("loadcase.test", who.test.as_str()),
        ("loadcase.segment", who.segment.as_str()),
    ];
    let request = json!({
        "resourceMetrics": [{
            "resource": { "attributes": attributes(&resource) },
            "scopeMetrics": [{
                "scope": { "name": "loadcase", "version": env!("CARGO_PKG_VERSION") },
                "metrics": metrics,
            }],
        }],
    });
    serde_json::to_vec(&request).unwrap_or_default()
}

/// When the cumulative figures began and when they were taken, in OTLP's nanosecond strings.
struct Times {
    start: String,
    now: String,
}

/// A monotonic cumulative sum (`aggregationTemporality` 2 is cumulative).
fn sum(name: &str, description: &str, points: Vec<Value>) -> Value {
    json!({
        "name": name,
        "description": description,
        "sum": { "aggregationTemporality": 2, "isMonotonic": true, "dataPoints": points },
    })
}

/// A cumulative histogram of times, in seconds.
fn histogram(name: &str, points: Vec<Value>) -> Value {
    json!({
        "name": name,
        "unit": "s",
        "histogram": { "aggregationTemporality": 2, "dataPoints": points },
    })
}

/// A data point of an integer (OTLP's JSON writes 64-bit integers as strings).
fn point(at: &Times, attrs: &[(&str, &str)], value: u64) -> Value {
    json!({
        "attributes": attributes(attrs),
        "startTimeUnixNano": at.start,
        "timeUnixNano": at.now,
        "asInt": value.to_string(),
    })
}

/// A histogram data point: the count in each bucket (not cumulative, as OTLP has them), the
/// last one above every bound.
fn buckets(at: &Times, attrs: &[(&str, &str)], h: &Histogram) -> Value {
    let mut counts = Vec::with_capacity(BUCKETS.len() + 1);
    let mut below = 0;
    for bound in BUCKETS {
        let at_most = h.count_at_most(Duration::from_secs_f64(bound));
        counts.push((at_most - below).to_string());
        below = at_most;
    }
    counts.push((h.len() - below).to_string());
    json!({
        "attributes": attributes(attrs),
        "startTimeUnixNano": at.start,
        "timeUnixNano": at.now,
        "count": h.len().to_string(),
        "sum": h.sum().as_secs_f64(),
        "bucketCounts": counts,
        "explicitBounds": BUCKETS,
    })
}

fn attributes(pairs: &[(&str, &str)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|(key, value)| json!({ "key": key, "value": { "stringValue": value } }))
        .collect()
}
