//! `--compare`: a run's key figures beside a baseline's, with deltas, and the figures that got
//! worse by more than the tolerance flagged as regressions.

use std::fmt::Write;
use std::time::Duration;

use loadcase::Report;
use loadcase::report::{Distribution, Figures};

use crate::text::format::{human, tolerance, truncate};

/// Which way a figure improves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

/// How a figure is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Per second.
    Rate,
    /// A fraction, written as a percentage; deltas in percentage points.
    Ratio,
    /// Milliseconds, written at the summary's scale.
    Millis,
}

/// One figure of both runs. `None` where a run has nothing to measure it on (no requests).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub figure: String,
    pub unit: Unit,
    pub better: Better,
    pub baseline: Option<f64>,
    pub current: Option<f64>,
    /// Worse than the baseline by more than the tolerance.
    pub regression: bool,
}

impl Row {
    fn new(figure: &str, unit: Unit, better: Better, values: [Option<f64>; 2], tol: f64) -> Row {
        let [baseline, current] = values;
        let regression = match (baseline, current) {
            (Some(b), Some(c)) => worse_beyond(better, b, c, tol),
            _ => false,
        };
        Row {
            figure: figure.to_owned(),
            unit,
            better,
            baseline,
            current,
            regression,
        }
    }

    /// `current - baseline`.
    pub fn delta(&self) -> Option<f64> {
        Some(self.current? - self.baseline?)
    }

    /// The change relative to the baseline; `None` when the baseline is zero.
    pub fn relative(&self) -> Option<f64> {
        let baseline = self.baseline.filter(|b| *b != 0.0)?;
        Some(self.delta()? / baseline)
    }
}

/// Relative to the baseline. From a baseline of zero any increase of a lower-is-better figure
/// is beyond any tolerance (errors where there were none); nothing can fall below zero.
fn worse_beyond(better: Better, baseline: f64, current: f64, tolerance: f64) -> bool {
    match better {
        Better::Lower if baseline == 0.0 => current > 0.0,
        Better::Lower => (current - baseline) / baseline > tolerance,
        Better::Higher => baseline > 0.0 && (baseline - current) / baseline > tolerance,
    }
}

/// A baseline and a run, figure by figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// What the baseline is, for the heading: `run #12 of 2026-11-25 21:03:41`.
    pub baseline: String,
    /// The fraction a figure may get worse by before it is a regression: 0.1 is 10 %.
    pub tolerance: f64,
    pub rows: Vec<Row>,
    /// The two plans as options, when they differ: rates and times of different loads are
    /// not comparable as such, and the reader should know.
    pub plans_differ: Option<(String, String)>,
}

impl Comparison {
    /// Compares `current` with `baseline`, named `label`.
    pub fn new(label: &str, baseline: &Report, current: &Report, tolerance: f64) -> Comparison {
        let (b, c) = (Figures::of(baseline), Figures::of(current));
        let mut rows = Vec::new();
        let mut row = |figure: &str, unit, better, get: &dyn Fn(&Figures) -> Option<f64>| {
            rows.push(Row::new(
                figure,
                unit,
                better,
                [get(&b), get(&c)],
                tolerance,
            ));
        };
        row("hits/s", Unit::Rate, Better::Higher, &|f| Some(f.hits.rate));
        row("requests/s", Unit::Rate, Better::Higher, &|f| {
            Some(f.overall.rps)
        });
        row("hit errors", Unit::Ratio, Better::Lower, &|f| {
            (f.hits.total > 0).then_some(f.hits.error_rate)
        });
        row("request errors", Unit::Ratio, Better::Lower, &|f| {
            (f.overall.count > 0).then_some(f.overall.error_rate)
        });
        for label in ["mean", "p50", "p90", "p95", "p99", "max"] {
            row(label, Unit::Millis, Better::Lower, &|f| {
                time_figure(&f.overall.time, label)
            });
        }
        for request in &c.requests {
            if let Some(theirs) = b.request(&request.name) {
                let values = [
                    time_figure(&theirs.time, "p95"),
                    time_figure(&request.time, "p95"),
                ];
                let figure = format!("p95 {}", request.name);
                rows.push(Row::new(
                    &figure,
                    Unit::Millis,
                    Better::Lower,
                    values,
                    tolerance,
                ));
            }
        }
        let plans = [baseline, current].map(|r| r.plan.as_ref().map(loadcase::Plan::options));
        let plans_differ = match plans {
            [Some(b), Some(c)] if b != c => Some((b, c)),
            _ => None,
        };
        Comparison {
            baseline: label.to_owned(),
            tolerance,
            rows,
            plans_differ,
        }
    }

    /// The rows flagged as regressions.
    pub fn regressions(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.regression)
    }

    /// The table, in the style of the summary.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let tolerance = tolerance(self.tolerance);
        let _ = writeln!(
            out,
            "\nCompared with {} (a regression is worse by more than {tolerance}):",
            self.baseline
        );
        if let Some((baseline, current)) = &self.plans_differ {
            let _ = writeln!(
                out,
                "note: the plans differ (baseline {baseline}, this run {current}), so the figures are of different loads"
            );
        }
        let width = self
            .rows
            .iter()
            .map(|r| r.figure.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(6, 60);
        let _ = writeln!(
            out,
            "{:<width$} {:>10} {:>10} {:>10} {:>8}",
            "Figure", "baseline", "current", "delta", "change"
        );
        for row in &self.rows {
            let value = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| text(row.unit, v));
            let change = match (row.relative(), row.delta()) {
                (Some(r), _) => format!("{:+.1}%", r * 100.0),
                (None, Some(d)) if d != 0.0 => "new".to_owned(),
                _ => "-".to_owned(),
            };
            let line = format!(
                "{:<width$} {:>10} {:>10} {:>10} {:>8}  {}",
                truncate(&row.figure, width),
                value(row.baseline),
                value(row.current),
                row.delta()
                    .map_or_else(|| "-".to_owned(), |d| delta(row.unit, d)),
                change,
                if row.regression { "REGRESSION" } else { "" }
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let flagged: Vec<&str> = self.regressions().map(|r| r.figure.as_str()).collect();
        if flagged.is_empty() {
            let _ = writeln!(out, "No regression beyond {tolerance}.");
        } else {
            let _ = writeln!(
                out,
                "Regressions beyond {tolerance}: {}",
                flagged.join(", ")
            );
        }
        out
    }
}

/// A time figure of a distribution, `None` when it holds no value.
fn time_figure(d: &Distribution, label: &str) -> Option<f64> {
    if d.count == 0 {
        return None;
    }
    match label {
        "mean" => Some(d.mean_ms),
        "max" => Some(d.max_ms),
        _ => d.percentile(label),
    }
}

fn text(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Rate => format!("{value:.1}"),
        Unit::Ratio => format!("{:.2}%", value * 100.0),
        Unit::Millis => human(Duration::from_secs_f64(value.max(0.0) / 1e3)),
    }
}

fn delta(unit: Unit, d: f64) -> String {
    let sign = if d < 0.0 { "-" } else { "+" };
    match unit {
        Unit::Rate => format!("{d:+.1}"),
        Unit::Ratio => format!("{:+.2}pp", d * 100.0),
        Unit::Millis if d == 0.0 => "0".to_owned(),
        Unit::Millis => format!("{sign}{}", text(unit, d.abs())),
    }
}

#[cfg(test)]
mod tests;
