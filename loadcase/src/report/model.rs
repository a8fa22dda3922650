//! [`Report`]: everything one run measured, serializable and mergeable.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::plan::model::Plan;
use crate::report::series::Second;
use crate::report::stats::Stats;

/// Version of the report format. Bumped on any change; readers accept older versions (fields
/// added since default to empty). 3: histograms in nanoseconds (2 held microseconds).
pub const REPORT_SCHEMA: u32 = 3;

/// Everything one run measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_SCHEMA`] of the writer.
    pub schema: u32,
    /// The test, as `target::path::function`.
    pub test: String,
    /// Wall-clock start, milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
    /// Real elapsed time of the run, in seconds.
    pub elapsed_secs: f64,
    /// True when the run was stopped before its plan completed (Ctrl-C, a lost runner).
    pub interrupted: bool,
    /// CPU time (user + system) the generating process spent during the run, in seconds, where
    /// the platform tells it: how much the load cost its generator.
    #[serde(default)]
    pub cpu_secs: Option<f64>,
    /// The generating process's peak resident memory, in bytes, where the platform tells it.
    #[serde(default)]
    pub peak_rss_bytes: Option<u64>,
    /// The plan that was run, when known.
    #[serde(default)]
    pub plan: Option<Plan>,
    /// Thresholds the test declared in its attribute (`thresholds("p95<200ms")`), unevaluated.
    #[serde(default)]
    pub thresholds: Vec<String>,
    /// The measurements.
    pub stats: Stats,
    /// Per-second figures, for plots: second `t` holds what completed in `[t, t+1)` s after the
    /// start (as harvested, at most a quarter of a second late).
    #[serde(default)]
    pub series: Vec<Second>,
    /// In a mix of several tests (`cargo loadrun a:3 b:1`), each test's own measurements, by
    /// test path; their sum is [`stats`](Self::stats). Empty for a single test.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_test: BTreeMap<String, Stats>,
    /// Why the run stopped before its plan completed, when something other than Ctrl-C stopped
    /// it (a dataset out of unique rows, say).
    #[serde(default)]
    pub stop_reason: Option<String>,
    /// Entries written to the request log (`--log-requests`) and flushed to the operating
    /// system, which a crash of the process cannot take back; `None` without a request log.
    #[serde(default)]
    pub logged_requests: Option<u64>,
}

impl Report {
    /// Real elapsed time of the run.
    pub fn elapsed(&self) -> Duration {
        Duration::from_secs_f64(self.elapsed_secs.max(0.0))
    }

    /// A copy with only the series points from second `t` on, for an incremental snapshot
    /// (see [`series::splice`](crate::report::series::splice)).
    pub fn since(&self, t: u32) -> Report {
        Report {
            schema: self.schema,
            test: self.test.clone(),
            started_unix_ms: self.started_unix_ms,
            elapsed_secs: self.elapsed_secs,
            interrupted: self.interrupted,
            cpu_secs: self.cpu_secs,
            peak_rss_bytes: self.peak_rss_bytes,
            plan: self.plan.clone(),
            thresholds: self.thresholds.clone(),
            stats: self.stats.clone(),
            series: self.series.iter().filter(|p| p.t >= t).cloned().collect(),
            by_test: self.by_test.clone(),
            stop_reason: self.stop_reason.clone(),
            logged_requests: self.logged_requests,
        }
    }

    /// Merges a report of another process running part of the same plan: counts and histograms
    /// add up, the start is the earliest, the elapsed time spans both, and the per-second series
    /// add up second by second (aligned on whole seconds from the earlier start).
    pub fn merge(&mut self, other: &Report) {
        let end = (self.started_unix_ms as f64 / 1e3 + self.elapsed_secs)
            .max(other.started_unix_ms as f64 / 1e3 + other.elapsed_secs);
        let start = self.started_unix_ms.min(other.started_unix_ms);
        let shift = |started: u64| ((started - start) / 1000) as u32;
        let ours = std::mem::take(&mut self.series);
        crate::report::series::add_shifted(&mut self.series, &ours, shift(self.started_unix_ms));
        crate::report::series::add_shifted(
            &mut self.series,
            &other.series,
            shift(other.started_unix_ms),
        );
        self.started_unix_ms = start;
        self.elapsed_secs = end - self.started_unix_ms as f64 / 1e3;
        self.interrupted |= other.interrupted;
        self.cpu_secs = match (self.cpu_secs, other.cpu_secs) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        // Processes that ran side by side: their peaks add up at worst.
        self.peak_rss_bytes = match (self.peak_rss_bytes, other.peak_rss_bytes) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.stats.merge(&other.stats);
        for (test, stats) in &other.by_test {
            self.by_test.entry(test.clone()).or_default().merge(stats);
        }
        self.logged_requests = match (self.logged_requests, other.logged_requests) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        if self.stop_reason.is_none() {
            self.stop_reason.clone_from(&other.stop_reason);
        }
        for threshold in &other.thresholds {
            if !self.thresholds.contains(threshold) {
                self.thresholds.push(threshold.clone());
            }
        }
    }
}
