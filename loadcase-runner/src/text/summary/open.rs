//! The open model's part of the summary: hits dropped, the rate achieved, and hit times both
//! corrected for coordinated omission and raw, each saying which it is.

use std::fmt::Write;

use loadcase::Report;
use loadcase::plan::Shape;
use loadcase::report::Histogram;

use crate::text::format::human;

/// Nothing unless the run had a `--rate`.
pub fn render(out: &mut String, report: &Report) {
    let Some(Shape::Rate(rate)) = report.plan.as_ref().map(|p| &p.shape) else {
        return;
    };
    let hits = &report.stats.hits;
    let started = hits.total() + hits.cancelled;
    let due = started + hits.dropped;
    let schedule = rate.duration().as_secs_f64();
    let _ = writeln!(out, "\nOpen model (--rate)");
    let _ = writeln!(
        out,
        "  Hits started: {started} of {due} due ({:.1} hits/s over the {schedule:.1}s schedule; planned {})",
        started as f64 / schedule,
        planned(report)
    );
    if hits.dropped > 0 {
        let _ = writeln!(
            out,
            "  Dropped: {} hits never started: every one of the {} users at most was busy for over {} (--max-users, --max-delay), or the schedule ended first",
            hits.dropped,
            rate.max_users,
            human(rate.max_delay)
        );
    }
    let _ = writeln!(
        out,
        "  Hit time, corrected (from when each hit was due; waiting for a free user counts): {}",
        percentiles(&hits.corrected)
    );
    let _ = writeln!(
        out,
        "  Hit time, raw service time (from when each hit started; hides waiting):        {}",
        percentiles(&hits.time)
    );
}

fn planned(report: &Report) -> String {
    report
        .plan
        .as_ref()
        .map_or_else(String::new, loadcase::Plan::options)
}

fn percentiles(h: &Histogram) -> String {
    if h.is_empty() {
        return "-".to_owned();
    }
    [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p99.9", 0.999)]
        .iter()
        .map(|&(name, q)| format!("{name} {}", human(h.quantile(q))))
        .chain(std::iter::once(format!("max {}", human(h.max()))))
        .collect::<Vec<_>>()
        .join("  ")
}
