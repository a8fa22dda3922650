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
    /// start (harvested on the run's quarter seconds, so late by the moment a harvest takes to
    /// start). The last second covers `[t, elapsed_secs)`, usually less than a second.
    #[serde(default)]
    pub series: Vec<Second>,
    /// In a mix of several tests (`cargo loadrun a:3 b:1`), each test's own measurements, by
    /// test path; their sum is [`stats`](Self::stats). Empty for a single test.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_test: BTreeMap<String, Stats>,
    /// In a plan of several stages, what completed during each, in order; their sum is
    /// [`stats`](Self::stats). Empty for a plan of one stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageStats>,
    /// Why the run stopped before its plan completed, when something other than Ctrl-C stopped
    /// it (a dataset out of unique rows, say).
    #[serde(default)]
    pub stop_reason: Option<String>,
    /// Entries written to the request log (`--log-requests`) and flushed to the operating
    /// system, which a crash of the process cannot take back; `None` without a request log.
    #[serde(default)]
    pub logged_requests: Option<u64>,
    /// Why the request log could not be written in full (it could not be created, or a write
    /// failed, on a full disk say): the file holds the first
    /// [`logged_requests`](Self::logged_requests) entries (and perhaps part of the batch that
    /// failed). A fault of the output, not of the load: no hit's problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_log_error: Option<String>,
    /// The run this report is part of (`--run-id`), shared by the segments of a split run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// A digest of what was run — the plan's shape and options, the tests and their weights —
    /// without the segment or the start time: reports of one run's segments have the same.
    #[serde(default)]
    pub plan_digest: Option<String>,
    /// With `--start-at`: how late the load actually started, in seconds (the segments' skew).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_skew_secs: Option<f64>,
    /// With `--start-at`: this process was ready more than the grace after it, and ran nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missed_start: bool,
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
            stages: self.stages.clone(),
            stop_reason: self.stop_reason.clone(),
            logged_requests: self.logged_requests,
            request_log_error: self.request_log_error.clone(),
            run_id: self.run_id.clone(),
            plan_digest: self.plan_digest.clone(),
            start_skew_secs: self.start_skew_secs,
            missed_start: self.missed_start,
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
        for (index, theirs) in other.stages.iter().enumerate() {
            match self.stages.get_mut(index) {
                Some(ours) => {
                    ours.started_secs = ours.started_secs.min(theirs.started_secs);
                    ours.elapsed_secs = ours.elapsed_secs.max(theirs.elapsed_secs);
                    ours.stats.merge(&theirs.stats);
                }
                None => self.stages.push(theirs.clone()),
            }
        }
        self.logged_requests = match (self.logged_requests, other.logged_requests) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.start_skew_secs = match (self.start_skew_secs, other.start_skew_secs) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.missed_start |= other.missed_start;
        if self.stop_reason.is_none() {
            self.stop_reason.clone_from(&other.stop_reason);
        }
        if self.request_log_error.is_none() {
            self.request_log_error.clone_from(&other.request_log_error);
        }
        for threshold in &other.thresholds {
            if !self.thresholds.contains(threshold) {
                self.thresholds.push(threshold.clone());
            }
        }
    }
}

/// What completed during one stage of the plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageStats {
    /// When the stage started, in seconds from the run's start.
    pub started_secs: f64,
    /// How long it lasted: until its last user was done, or the next stage started, or the run
    /// ended; a pause after it (`--stage-pause`) is not part of it.
    pub elapsed_secs: f64,
    /// What completed during it.
    pub stats: Stats,
}
