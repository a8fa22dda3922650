//! A running segment's JSON reports kept up to date from the snapshots its test binary sends, so
//! that a segment that dies (its node lost, its process killed) leaves what it had measured,
//! marked as not finished, for `cargo loadrun merge` to name.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use console::style;
use loadcase::Report;

use crate::reports::segment::{Extra, SegmentRun};
use crate::reports::{self, Format};

/// How often a running segment rewrites its JSON reports from the snapshots it receives (one a
/// second): what a segment that dies leaves is at most this old, plus a second.
pub const LIVE_EVERY: Duration = Duration::from_secs(2);

/// Rewrites a running segment's JSON reports from its snapshots, every [`LIVE_EVERY`], each
/// through a file renamed into place: a reader never sees half of one, and a segment that dies
/// leaves what it had measured, marked as not finished.
pub struct LiveReports {
    paths: Vec<PathBuf>,
    run: SegmentRun,
    last: Option<Instant>,
    warned: bool,
}

impl LiveReports {
    /// For the JSON reports among `paths`.
    pub fn new(paths: &[PathBuf], run: &SegmentRun) -> LiveReports {
        LiveReports {
            paths: paths
                .iter()
                .filter(|p| matches!(Format::of(p, "--report"), Ok(Format::Json)))
                .cloned()
                .collect(),
            run: SegmentRun {
                live: true,
                ..run.clone()
            },
            last: None,
            warned: false,
        }
    }

    /// A snapshot arrived: written if the last write is [`LIVE_EVERY`] old.
    pub fn snapshot(&mut self, report: &Report) {
        if self.paths.is_empty() || self.last.is_some_and(|at| at.elapsed() < LIVE_EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        let mut report = report.clone();
        // Until the final report replaces it, this one is of a run that has not completed.
        report.interrupted = true;
        let extra = Extra {
            segment_run: Some(&self.run),
            merge: None,
        };
        let text = reports::render(Format::Json, &report, &[], "", &extra);
        for path in &self.paths {
            if let Err(error) = reports::write(path, &text)
                && !self.warned
            {
                self.warned = true;
                eprintln!(
                    "{} cannot keep the segment's report up to date while it runs: {error:#}",
                    style("warning:").yellow().bold()
                );
            }
        }
    }
}
