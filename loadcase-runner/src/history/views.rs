//! What `cargo loadrun history` prints: the latest runs, or one row per period and test with
//! figures combined over every run of the period (PyLoad's weekly, monthly and yearly views).

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{Datelike, TimeZone};
use loadcase::Plan;
use loadcase::Report;
use loadcase::report::Figures;
use loadcase::report::Stats;

use crate::text::format::{human_ms, local_time};

/// A run as the listing shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    pub id: i64,
    pub started_ms: i64,
    pub test: String,
    pub plan: Option<Plan>,
    pub hits: u64,
    /// Requests per second.
    pub rps: f64,
    pub p95_ms: f64,
    /// Hits that ended in an error or a failure.
    pub errors: u64,
    pub exit_code: u8,
}

/// The listing, newest first as given.
pub fn render_list(runs: &[Listed]) -> String {
    let rows: Vec<[String; 9]> = runs
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                local_time(r.started_ms),
                r.test.clone(),
                r.plan
                    .as_ref()
                    .map_or_else(|| "?".to_owned(), Plan::options),
                r.hits.to_string(),
                format!("{:.1}", r.rps),
                human_ms(r.p95_ms),
                r.errors.to_string(),
                r.exit_code.to_string(),
            ]
        })
        .collect();
    let header = [
        "id", "started", "test", "plan", "hits", "req/s", "p95", "errors", "exit",
    ];
    // Text columns left-aligned, figures right-aligned, as in the summary's request table.
    table(
        &header,
        &rows,
        &[false, true, true, true, false, false, false, false, false],
    )
}

/// How `history` groups runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Year,
}

impl Period {
    /// The period holding a moment, in the local time zone (`tz` in tests): `2026-W48`
    /// (ISO week), `2026-11`, `2026`. The labels sort in time order.
    pub fn label<Tz: TimeZone>(self, started_ms: i64, tz: &Tz) -> String {
        let Some(utc) = chrono::DateTime::from_timestamp_millis(started_ms) else {
            return "?".to_owned();
        };
        let t = utc.with_timezone(tz);
        match self {
            Period::Week => {
                let week = t.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Period::Month => format!("{}-{:02}", t.year(), t.month()),
            Period::Year => t.year().to_string(),
        }
    }
}

/// The runs of one test in one period, combined.
#[derive(Clone, Debug, Default)]
pub struct PeriodTotals {
    pub runs: u64,
    /// Every run's measurements merged: the histograms add up, so percentiles over the period
    /// are exact, not averages of percentiles.
    pub stats: Stats,
    /// Time the runs ran, added up: rates over the period are per second of load, not per
    /// second of calendar.
    pub elapsed_secs: f64,
}

impl PeriodTotals {
    pub fn add(&mut self, report: &Report) {
        self.runs += 1;
        self.stats.merge(&report.stats);
        self.elapsed_secs += report.elapsed_secs.max(0.0);
    }

    /// The combined figures, as if the period were one run lasting the runs' total time.
    pub fn figures(&self) -> Figures {
        Figures::of(&Report {
            stats: self.stats.clone(),
            elapsed_secs: self.elapsed_secs,
            ..Report::default()
        })
    }
}

/// Per (period label, test), in label then test order.
pub type Periods = BTreeMap<(String, String), PeriodTotals>;

/// Adds a report to its period.
pub fn add_to_period<Tz: TimeZone>(
    periods: &mut Periods,
    period: Period,
    tz: &Tz,
    report: &Report,
) {
    let label = period.label(report.started_unix_ms as i64, tz);
    periods
        .entry((label, report.test.clone()))
        .or_default()
        .add(report);
}

/// One row per period and test, oldest period first.
pub fn render_periods(periods: &Periods) -> String {
    let rows: Vec<[String; 11]> = periods
        .iter()
        .map(|((label, test), totals)| {
            let f = totals.figures();
            let time = &f.overall.time;
            let pct = |l| human_ms(time.percentile(l).unwrap_or(0.0));
            [
                label.clone(),
                test.clone(),
                totals.runs.to_string(),
                f.hits.total.to_string(),
                f.overall.count.to_string(),
                format!("{:.2}%", f.hits.error_rate * 100.0),
                format!("{:.1}", f.overall.rps),
                human_ms(time.mean_ms),
                pct("p50"),
                pct("p95"),
                pct("p99"),
            ]
        })
        .collect();
    let header = [
        "period", "test", "runs", "hits", "requests", "errors", "req/s", "mean", "p50", "p95",
        "p99",
    ];
    let mut left = [false; 11];
    left[..2].fill(true);
    table(&header, &rows, &left)
}

/// Columns as wide as their widest cell, two spaces apart.
fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]], left: &[bool; N]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            if i > 0 {
                text.push_str("  ");
            }
            if left[i] {
                text.push_str(cell);
                text.extend(std::iter::repeat_n(' ', pad));
            } else {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(cell);
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}
