//! A run's figures as Prometheus series: counters and cumulative histograms from the cumulative
//! report, so that the last push equals the report and series of several segments add up with
//! `sum`. Every series carries `run_id`, `test` and `segment`, so that two processes never write
//! one series.

use loadcase::Report;
use loadcase::report::{Histogram, Stats};

use super::remote_write::Series;

/// Request names exported one by one; the others are added up under [`OTHER`], so that a run
/// whose URLs hold ids cannot explode the series count.
pub const MAX_NAMES: usize = 50;

/// The name under which requests beyond [`MAX_NAMES`] are exported.
pub const OTHER: &str = "(other names)";

/// Upper bounds of the duration histograms' buckets, in seconds (then `+Inf`).
pub const BUCKETS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Every metric the exporter writes, for the dashboard's check.
#[cfg(test)]
pub const METRICS: [&str; 13] = [
    "loadcase_hits_total",
    "loadcase_dropped_hits_total",
    "loadcase_requests_total",
    "loadcase_request_duration_seconds_bucket",
    "loadcase_request_duration_seconds_sum",
    "loadcase_request_duration_seconds_count",
    "loadcase_hit_duration_seconds_bucket",
    "loadcase_hit_duration_seconds_sum",
    "loadcase_hit_duration_seconds_count",
    "loadcase_active_users",
    "loadcase_websocket_messages_total",
    "loadcase_websocket_bytes_total",
    "loadcase_counter_total",
];

/// What identifies the process's series.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The run (`--run-id`, or the run's own id).
    pub run_id: String,
    /// The test (or mix) as the report names it.
    pub test: String,
    /// `K/N`, or `1/1` for a whole run.
    pub segment: String,
}

/// The series of `report` (cumulative) with `active` users running now.
pub fn series(who: &Identity, report: &Report, active: u64) -> Vec<Series> {
    let base = [
        ("run_id", who.run_id.as_str()),
        ("test", who.test.as_str()),
        ("segment", who.segment.as_str()),
    ];
    let stats = &report.stats;
    let hits = &stats.hits;
    let mut out = Vec::new();
    for (outcome, n) in [
        ("success", hits.success),
        ("error", hits.errors),
        ("failure", hits.failures),
        ("cancelled", hits.cancelled),
    ] {
        out.push(Series::new(
            "loadcase_hits_total",
            &joined(&base, &[("outcome", outcome)]),
            n as f64,
        ));
    }
    out.push(Series::new(
        "loadcase_dropped_hits_total",
        &base,
        hits.dropped as f64,
    ));
    out.push(Series::new("loadcase_active_users", &base, active as f64));
    histogram(&mut out, "loadcase_hit_duration_seconds", &base, &hits.time);
    for (name, row) in exported(stats) {
        let statuses: Vec<(String, u64)> = row
            .statuses
            .iter()
            .map(|(code, n)| (code.to_string(), *n))
            .collect();
        let answered: u64 = row.statuses.values().sum();
        let unanswered = ("none".to_owned(), row.count.saturating_sub(answered));
        for (status, n) in statuses.iter().chain([&unanswered]) {
            if *n > 0 || status != "none" {
                out.push(Series::new(
                    "loadcase_requests_total",
                    &joined(&base, &[("name", &name), ("status", status)]),
                    *n as f64,
                ));
            }
        }
        histogram(
            &mut out,
            "loadcase_request_duration_seconds",
            &joined(&base, &[("name", &name)]),
            &row.time,
        );
    }
    let ws = &stats.websockets;
    for (direction, messages, bytes) in [
        ("sent", ws.messages_sent, ws.bytes_sent),
        ("received", ws.messages_received, ws.bytes_received),
    ] {
        out.push(Series::new(
            "loadcase_websocket_messages_total",
            &joined(&base, &[("direction", direction)]),
            messages as f64,
        ));
        out.push(Series::new(
            "loadcase_websocket_bytes_total",
            &joined(&base, &[("direction", direction)]),
            bytes as f64,
        ));
    }
    for (counter, n) in &stats.counters {
        out.push(Series::new(
            "loadcase_counter_total",
            &joined(&base, &[("counter", counter)]),
            *n as f64,
        ));
    }
    out
}

/// `base` then `extra`.
fn joined<'a>(
    base: &[(&'a str, &'a str)],
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut labels = base.to_vec();
    labels.extend_from_slice(extra);
    labels
}

/// The request rows exported: the busiest [`MAX_NAMES`] − 1 by name, the rest added up.
pub(super) fn exported(stats: &Stats) -> Vec<(String, loadcase::report::RequestStats)> {
    let mut rows: Vec<(&String, &loadcase::report::RequestStats)> = stats.requests.iter().collect();
    if rows.len() <= MAX_NAMES {
        return rows
            .into_iter()
            .map(|(n, r)| (n.clone(), r.clone()))
            .collect();
    }
    // Busiest first, then by name, so that the names kept do not change from push to push.
    rows.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    let mut other = loadcase::report::RequestStats::default();
    for (_, row) in rows.drain(MAX_NAMES - 1..) {
        other.merge(row);
    }
    let mut out: Vec<_> = rows
        .into_iter()
        .map(|(n, r)| (n.clone(), r.clone()))
        .collect();
    out.push((OTHER.to_owned(), other));
    out
}

/// `_bucket{le}` (cumulative), `_sum` and `_count` of `h`.
fn histogram(out: &mut Vec<Series>, name: &str, labels: &[(&str, &str)], h: &Histogram) {
    let bucket = format!("{name}_bucket");
    for bound in BUCKETS {
        let le = bound.to_string();
        let mut with = labels.to_vec();
        with.push(("le", &le));
        let n = h.count_at_most(std::time::Duration::from_secs_f64(bound));
        out.push(Series::new(&bucket, &with, n as f64));
    }
    let mut with = labels.to_vec();
    with.push(("le", "+Inf"));
    out.push(Series::new(&bucket, &with, h.len() as f64));
    out.push(Series::new(
        &format!("{name}_sum"),
        labels,
        h.sum().as_secs_f64(),
    ));
    out.push(Series::new(
        &format!("{name}_count"),
        labels,
        h.len() as f64,
    ));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn who() -> Identity {
        Identity {
            run_id: "r1".into(),
            test: "t::x".into(),
            segment: "1/2".into(),
        }
    }

    fn value(series: &[Series], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        series
            .iter()
            .find(|s| {
                s.labels.iter().any(|(k, v)| k == "__name__" && v == name)
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.iter().any(|(a, b)| a == k && b == v))
            })
            .map(|s| s.value)
    }

    #[test]
    fn the_report_becomes_counters_and_cumulative_buckets() {
        let mut report = Report::default();
        report.stats.hits.success = 7;
        report.stats.hits.errors = 2;
        let row = report.stats.requests.entry("GET /a".into()).or_default();
        row.count = 3;
        row.statuses = [(200, 2)].into();
        for ms in [1, 2, 40] {
            row.time.record(Duration::from_millis(ms));
        }
        report.stats.counters.insert("logins".into(), 4);
        let series = series(&who(), &report, 5);
        assert_eq!(
            value(&series, "loadcase_hits_total", &[("outcome", "success")]),
            Some(7.0)
        );
        assert_eq!(value(&series, "loadcase_active_users", &[]), Some(5.0));
        let requests = |status| {
            value(
                &series,
                "loadcase_requests_total",
                &[("name", "GET /a"), ("status", status)],
            )
        };
        assert_eq!((requests("200"), requests("none")), (Some(2.0), Some(1.0)));
        let bucket = |le| {
            value(
                &series,
                "loadcase_request_duration_seconds_bucket",
                &[("name", "GET /a"), ("le", le)],
            )
        };
        assert_eq!(
            (
                bucket("0.001"),
                bucket("0.0025"),
                bucket("0.05"),
                bucket("+Inf")
            ),
            (Some(1.0), Some(2.0), Some(3.0), Some(3.0))
        );
        assert_eq!(
            value(&series, "loadcase_counter_total", &[("counter", "logins")]),
            Some(4.0)
        );
        for s in &series {
            assert!(s.labels.iter().any(|(k, v)| k == "segment" && v == "1/2"));
            let name = &s.labels[0].1;
            assert!(METRICS.contains(&name.as_str()), "{name} is in METRICS");
        }
    }

    #[test]
    fn request_names_are_capped() {
        let mut report = Report::default();
        for i in 0..200 {
            let row = report
                .stats
                .requests
                .entry(format!("GET /u/{i}"))
                .or_default();
            row.count = 1 + i;
        }
        let names: std::collections::BTreeSet<String> = series(&who(), &report, 0)
            .iter()
            .filter_map(|s| {
                s.labels
                    .iter()
                    .find(|(k, _)| k == "name")
                    .map(|(_, v)| v.clone())
            })
            .collect();
        assert_eq!(names.len(), MAX_NAMES);
        assert!(names.contains(OTHER) && names.contains("GET /u/199"));
        let requests_total: f64 = series(&who(), &report, 0)
            .iter()
            .filter(|s| s.labels[0].1 == "loadcase_requests_total")
            .map(|s| s.value)
            .sum();
        assert_eq!(
            requests_total,
            (1..=200).sum::<u64>() as f64,
            "nothing lost to the cap"
        );
    }

    #[test]
    fn a_run_of_500_request_names_stays_within_a_bounded_series_count() {
        let mut report = Report::default();
        for i in 0..500 {
            let row = report
                .stats
                .requests
                .entry(format!("GET /item/{i}"))
                .or_default();
            row.count = 2;
            row.statuses = [(200, 1), (404, 1)].into();
        }
        let count = series(&who(), &report, 0).len();
        eprintln!("500 request names: {count} series per push");
        // Per exported name: two statuses, a bucket for each bound and +Inf, _sum and _count.
        let per_name = 2 + BUCKETS.len() + 1 + 2;
        let fixed = series(&who(), &Report::default(), 0).len();
        assert_eq!(count, fixed + MAX_NAMES * per_name);
    }

    /// Every PromQL query of the Grafana dashboard, wherever it stands in the JSON.
    fn queries(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("expr" | "definition", serde_json::Value::String(q)) => {
                            out.push(q.clone())
                        }
                        ("query", serde_json::Value::Object(q)) => {
                            if let Some(serde_json::Value::String(q)) = q.get("query") {
                                out.push(q.clone());
                            }
                        }
                        _ => queries(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| queries(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_query_of_the_dashboard_names_what_the_exporter_writes() {
        let dashboard: serde_json::Value =
            serde_json::from_str(include_str!("../../../dashboards/grafana.json")).unwrap();
        let mut all = Vec::new();
        queries(&dashboard, &mut all);
        assert!(all.len() >= 15, "{} queries", all.len());
        let labels = [
            "run_id",
            "test",
            "segment",
            "outcome",
            "name",
            "status",
            "le",
            "direction",
            "counter",
        ];
        for query in &all {
            let metrics: Vec<&str> = query
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| word.starts_with("loadcase_"))
                .collect();
            assert!(
                !metrics.is_empty(),
                "a query without a loadcase metric: {query}"
            );
            for metric in metrics {
                assert!(
                    METRICS.contains(&metric),
                    "{metric} (in `{query}`) is not exported"
                );
            }
            for (i, _) in query.match_indices(['=', '~', '!']) {
                let name: String = query[..i]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                assert!(
                    name.is_empty() || labels.contains(&name.as_str()),
                    "label `{name}` of `{query}` is not one the exporter writes"
                );
            }
            for by in query.split("by (").skip(1) {
                for label in by.split(')').next().unwrap().split(',') {
                    assert!(
                        labels.contains(&label.trim()),
                        "`by ({label})` in `{query}`"
                    );
                }
            }
        }
        // And the exporter writes those labels.
        let mut report = Report::default();
        report
            .stats
            .requests
            .entry("GET /".into())
            .or_default()
            .count = 1;
        report.stats.counters.insert("c".into(), 1);
        let written: std::collections::BTreeSet<String> = series(&who(), &report, 0)
            .iter()
            .flat_map(|s| s.labels.iter().map(|(k, _)| k.clone()))
            .collect();
        for label in labels {
            assert!(written.contains(label), "the exporter writes no `{label}`");
        }
    }
}
