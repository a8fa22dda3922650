//! The summary's table of requests, one row per request name, with the totals under it; a
//! test of a mix gets the same table over its own requests.

use std::fmt::Write;
use std::time::Duration;

use loadcase::Report;
use loadcase::report::Histogram;

use crate::text::format::{human, truncate};

/// The table of `report`'s requests; nothing when it sent none.
pub fn table(out: &mut String, report: &Report) {
    let stats = &report.stats;
    if stats.requests.is_empty() {
        return;
    }
    let width = stats
        .requests
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(7, 60);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<width$} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "Request", "count", "errors", "avg", "p50", "p90", "p95", "p99", "max", "req/s"
    );
    let elapsed = report.elapsed_secs;
    for (name, r) in &stats.requests {
        let t = &r.time;
        let rate = if elapsed > 0.0 {
            r.count as f64 / elapsed
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "{:<width$} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9.1}",
            truncate(name, width),
            r.count,
            r.errors,
            timed(t, |t| t.mean()),
            timed(t, |t| t.quantile(0.50)),
            timed(t, |t| t.quantile(0.90)),
            timed(t, |t| t.quantile(0.95)),
            timed(t, |t| t.quantile(0.99)),
            timed(t, |t| t.max()),
            rate
        );
    }
    let all = stats.all_requests();
    let _ = writeln!(out, "Requests: {} ({} errors)", all.count, all.errors);
    if !all.ttfb.is_empty() {
        let _ = writeln!(
            out,
            "Time to first byte: p50 {}, p95 {}, p99 {}; time to last byte: p50 {}, p95 {}, p99 {}",
            human(all.ttfb.quantile(0.50)),
            human(all.ttfb.quantile(0.95)),
            human(all.ttfb.quantile(0.99)),
            timed(&all.ttlb, |t| t.quantile(0.50)),
            timed(&all.ttlb, |t| t.quantile(0.95)),
            timed(&all.ttlb, |t| t.quantile(0.99)),
        );
    }
}

/// A figure of a histogram, or `-` when no request of that name got a response to time.
pub(super) fn timed(histogram: &Histogram, figure: impl Fn(&Histogram) -> Duration) -> String {
    if histogram.is_empty() {
        "-".to_owned()
    } else {
        human(figure(histogram))
    }
}
