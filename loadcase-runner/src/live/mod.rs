//! A run watched while it goes and told when it ends: its live state in a run directory (for
//! `ps`, `attach` and `stop`), its figures pushed to Prometheus by remote-write, a segment's JSON
//! reports kept up to date, and a webhook at the end. [`Live`] is what a run holds of all that;
//! each part is optional, and none can slow the load or change the run's exit code.

pub mod metrics;
pub mod notify;
#[cfg(feature = "otlp")]
pub mod otlp;
pub mod push;
pub mod remote_write;
pub mod reports;
pub mod run_dir;
pub mod view;

#[cfg(test)]
mod tests;

use std::path::Path;

use console::style;
use loadcase::{Plan, Progress, Report};

use self::metrics::Identity;
pub use self::notify::End;
use self::push::Pusher;
use self::reports::LiveReports;
use self::run_dir::RunDir;
use crate::settings::Outputs;

/// Set by `--detach` for the runner it starts in the background: the id its run directory takes,
/// which the foreground runner has already printed.
pub const DETACHED_ID: &str = "LOADCASE_DETACHED_RUN";

/// Whether this runner is the background one that `--detach` (or a run on a terminal) started.
pub fn detached() -> bool {
    std::env::var_os(DETACHED_ID).is_some_and(|id| !id.is_empty())
}

/// What a running run sends and keeps besides its summary.
pub struct Live {
    dir: Option<RunDir>,
    id: String,
    pushers: Vec<Pusher>,
    reports: Option<LiveReports>,
    notify: Vec<String>,
    summary_lines: Vec<String>,
}

impl Live {
    /// Starts what `outputs` asks for, for a run of `test` on `plan`, its run directory in
    /// `runs`. A run directory that cannot be made is a warning: the run goes on without
    /// `ps`/`attach`/`stop`.
    pub fn start(runs: &Path, test: &str, plan: &Plan, outputs: &Outputs) -> Live {
        let detached = std::env::var(DETACHED_ID).ok().filter(|id| !id.is_empty());
        let dir = match RunDir::create(runs, detached.as_deref(), test, &plan.options()) {
            Ok(dir) => Some(dir),
            Err(e) => {
                eprintln!(
                    "{} no run directory, so ps, attach and stop will not see this run: {e:#}",
                    style("warning:").yellow().bold()
                );
                None
            }
        };
        let id = dir
            .as_ref()
            .and_then(|d| d.info().ok())
            .map_or_else(|| std::process::id().to_string(), |info| info.id);
        let segment = format!("{}/{}", plan.segment.index, plan.segment.count);
        let who = Identity {
            // The segments of one run share their --run-id, so their series sum.
            run_id: plan.run_id.clone().unwrap_or_else(|| id.clone()),
            test: test.to_owned(),
            segment,
        };
        let pushers = outputs
            .live
            .sinks()
            .into_iter()
            .map(|sink| Pusher::start(sink, outputs.live.push_every, who.clone()))
            .collect();
        let reports = outputs
            .segment_run
            .as_ref()
            .map(|run| LiveReports::new(&outputs.reports, run));
        Live {
            dir,
            id,
            pushers,
            reports,
            notify: outputs.live.notify.clone(),
            summary_lines: Vec::new(),
        }
    }

    /// The counters of the moment (a few times a second), for whoever follows the run.
    pub fn progress(&mut self, progress: &Progress) {
        if let Some(dir) = &self.dir {
            // A follower falls back on the snapshot's progress: nothing to say if this fails.
            let _ = dir.write_progress(progress);
        }
    }

    /// A snapshot arrived (cumulative, about every second), with the newest progress.
    pub fn snapshot(&mut self, report: &Report, progress: Option<&Progress>) {
        if let Some(dir) = &self.dir
            && let Err(e) = dir.write_snapshot(report, progress)
        {
            // Said once: the next snapshot would say the same.
            eprintln!(
                "{} {e:#}; attach will show older figures",
                style("warning:").yellow().bold()
            );
            self.dir = None;
        }
        for pusher in &self.pushers {
            pusher.update(report, progress.map_or(0, |p| p.active_users));
        }
        if let Some(reports) = &mut self.reports {
            reports.snapshot(report);
        }
    }

    /// The run ended before its load did (interrupted, its test binary not found): the run
    /// directory says so, with `why`, so that it is not taken for a run still going or stale.
    pub fn abandon(mut self, why: &str, code: u8) {
        for pusher in self.pushers.drain(..) {
            let _ = pusher.finish(&Report::default());
        }
        if let Some(dir) = &self.dir {
            let _ = dir.finish(
                &format!("The run ended before its load began: {why}\n"),
                code,
            );
        }
    }

    /// The run ended: the last push, the webhooks, the lines on stdout that say how those went,
    /// and last the run directory's summary and exit code — last, so that whoever follows the run
    /// finds everything it printed once it reads that it ended.
    pub fn finish(mut self, end: &End<'_>) {
        for pusher in self.pushers.drain(..) {
            let name = pusher.sink_name();
            let pushed = pusher.finish(end.report);
            let mut line = format!(
                "{name}: {} push{} accepted, {} failed",
                pushed.ok,
                if pushed.ok == 1 { "" } else { "es" },
                pushed.failed
            );
            if let Some(why) = &pushed.last_error {
                line.push_str(&format!(" (last: {why})"));
            }
            self.summary_lines.push(line);
        }
        let mut report = end.report.clone();
        if report.run_id.is_none() {
            report.run_id = Some(self.id.clone());
        }
        let end = End {
            report: &report,
            ..*end
        };
        self.summary_lines.extend(notify::tell(&self.notify, &end));
        let mut summary = end.summary.to_owned();
        for line in &self.summary_lines {
            println!("\n{line}");
            summary.push_str(&format!("\n{line}\n"));
        }
        let _ = std::io::Write::flush(&mut std::io::stdout());
        if let Some(dir) = &self.dir
            && let Err(e) = dir
                .write_snapshot(end.report, None)
                .and_then(|()| dir.finish(&summary, end.code))
        {
            eprintln!("{} {e:#}", style("warning:").yellow().bold());
        }
    }
}
