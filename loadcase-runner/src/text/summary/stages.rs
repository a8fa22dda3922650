//! The summary's table of stages for a plan of several (`-u 10:20:30`, `--stages`,
//! `--rate-stages`): each stage's load, its own time, what completed in it and the request
//! times under that load — the figures a staged run is for, which the totals blur together.

use std::fmt::Write;
use std::time::Duration;

use loadcase::Report;
use loadcase::plan::Shape;

use super::requests::timed;
use crate::text::format::{figure, human};

/// Nothing for a plan of one stage (the report has no stages then).
pub fn table(out: &mut String, report: &Report) {
    if report.stages.is_empty() {
        return;
    }
    let shape = report.plan.as_ref().map(|p| &p.shape);
    let loads = loads(shape, report.stages.len());
    let load_header = match shape {
        Some(Shape::Rate(_)) => "rate",
        _ => "users",
    };
    let width = loads
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(load_header.len());
    let _ = writeln!(out, "\nStages:");
    let _ = writeln!(
        out,
        "{:>5} {:>width$} {:>8} {:>8} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "Stage",
        load_header,
        "time",
        "hits",
        "errors",
        "failures",
        "requests",
        "hits/s",
        "p50",
        "p95",
        "p99"
    );
    for (index, stage) in report.stages.iter().enumerate() {
        let stats = &stage.stats;
        let hits = stats.hits.total();
        let rate = if stage.elapsed_secs > 0.0 {
            hits as f64 / stage.elapsed_secs
        } else {
            0.0
        };
        let times = stats.all_request_times();
        let _ = writeln!(
            out,
            "{:>5} {:>width$} {:>8} {:>8} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
            index + 1,
            loads[index],
            human(Duration::from_secs_f64(stage.elapsed_secs.max(0.0))),
            hits,
            stats.hits.errors,
            stats.hits.failures,
            stats.request_count(),
            figure(rate),
            timed(&times, |t| t.quantile(0.50)),
            timed(&times, |t| t.quantile(0.95)),
            timed(&times, |t| t.quantile(0.99)),
        );
    }
    let _ = writeln!(
        out,
        "Each stage over its own time (a pause after it left out); p50, p95, p99: request time."
    );
}

/// What each stage asked for: its users, the users it moved between, or its rate.
pub fn loads(shape: Option<&Shape>, stages: usize) -> Vec<String> {
    let mut loads: Vec<String> = match shape {
        Some(Shape::Fixed { users, .. }) => users.iter().map(u32::to_string).collect(),
        Some(Shape::Ramping { targets, .. }) => {
            let from = std::iter::once(0).chain(targets.iter().map(|t| t.users));
            from.zip(targets)
                .map(|(from, to)| format!("{from}→{}", to.users))
                .collect()
        }
        Some(Shape::Rate(rate)) => {
            let from = std::iter::once(rate.start).chain(rate.stages.iter().map(|s| s.per_sec));
            from.zip(&rate.stages)
                .map(|(from, to)| format!("{}→{}/s", per_sec(from), per_sec(to.per_sec)))
                .collect()
        }
        None => Vec::new(),
    };
    // A report without its plan, or one merged from a longer plan, still gets a row per stage.
    loads.resize(stages, "?".to_owned());
    loads
}

/// A rate as `--rate` takes it: `50`, `12.5`.
fn per_sec(rate: f64) -> String {
    if rate.fract() == 0.0 {
        format!("{rate:.0}")
    } else {
        figure(rate)
    }
}
