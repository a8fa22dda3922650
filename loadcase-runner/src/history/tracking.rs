//! The history and the comparison around one run, as the command line asks for them. A run's
//! own flow calls [`Tracking::start`] before the load and [`Tracking::finish`] after it, and
//! nothing else.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use console::style;
use loadcase::Report;
use loadcase::report::Verdict;

use super::baseline::{self, Baseline};
use super::environment::Environment;
use super::store::{self, History, NewRun};
use crate::cli::history::HistoryOptions;
use crate::exit;
use crate::text::compare::Comparison;

/// What to do with a run once it has ended.
pub struct Tracking {
    test: String,
    path: PathBuf,
    record: bool,
    root: PathBuf,
    /// The baseline, loaded before the run, and what to call it.
    baseline: Option<(String, Report)>,
    tolerance: f64,
    fail_on_regression: bool,
}

impl Tracking {
    /// Before the load: a `--compare` baseline that cannot be had is a usage error now, before
    /// a run is spent on it. `last` is resolved now too, so the run is never its own baseline.
    pub fn start(options: &HistoryOptions, root: &Path, test: &str) -> Result<Tracking> {
        let path = options
            .history
            .clone()
            .unwrap_or_else(|| store::default_path(root));
        let baseline = options
            .compare
            .as_deref()
            .map(|text| baseline::load(&Baseline::parse(text), &path, test))
            .transpose()
            .context("--compare")?;
        Ok(Tracking {
            test: test.to_owned(),
            path,
            record: !options.no_history,
            root: root.to_owned(),
            baseline,
            tolerance: options.regression_tolerance,
            fail_on_regression: options.fail_on_regression,
        })
    }

    /// Where there is no workspace to keep a history in (a run from an artifact, a merge on a
    /// cluster node): the run is recorded only into `--history PATH`, and `--compare` takes a
    /// JSON report without one. `what` names the run for the message, `dir` stands for the
    /// workspace root.
    pub fn without_workspace(
        options: &HistoryOptions,
        dir: &Path,
        test: &str,
        what: &str,
    ) -> Result<Option<Tracking>> {
        if options.history.is_none()
            && let Some(text) = &options.compare
            && !matches!(Baseline::parse(text), Baseline::File(_))
        {
            anyhow::bail!(
                "--compare {text}: {what} keeps no run history unless you give one with --history PATH; \
                 add --history, or compare with a JSON report written by --report FILE.json"
            );
        }
        if options.history.is_none() && options.compare.is_none() {
            return Ok(None);
        }
        let tracking = Tracking::start(options, dir, test)?;
        Ok(Some(if options.history.is_some() {
            tracking
        } else {
            tracking.without_recording()
        }))
    }

    /// Records nothing, whatever the command line says: quick mode without `--history` has no
    /// workspace to keep a history in. A `--compare` baseline still applies.
    pub fn without_recording(mut self) -> Tracking {
        self.record = false;
        self
    }

    /// After the load, with the final report and the exit code it earned: prints the
    /// comparison (after the summary), records the run, and returns the exit code, which only a
    /// regression under `--fail-on-regression` changes, and only from a success. A history that
    /// cannot be written is a warning: the run's results stand without it.
    pub fn finish(self, report: &Report, code: u8, verdicts: &[Verdict]) -> u8 {
        let mut code = code;
        if let Some((label, baseline)) = &self.baseline {
            let comparison = Comparison::new(label, baseline, report, self.tolerance);
            print!("{}", comparison.render());
            if self.fail_on_regression
                && comparison.regressions().next().is_some()
                && code == exit::SUCCESS
            {
                code = exit::REGRESSION;
            }
        }
        if self.record {
            let environment = Environment::current(&self.root);
            let recorded = History::open(&self.path).and_then(|mut history| {
                history.record(&NewRun {
                    test: &self.test,
                    report,
                    exit_code: code,
                    verdicts,
                    environment: &environment,
                })
            });
            if let Err(error) = recorded {
                eprintln!(
                    "{} this run was not recorded: {error}",
                    style("warning:").yellow().bold()
                );
            }
        }
        code
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn report(request_ms: u64) -> Report {
        let mut report = Report {
            elapsed_secs: 1.0,
            ..Report::default()
        };
        report.stats.hits.success = 10;
        let r = report.stats.requests.entry("GET /".into()).or_default();
        for _ in 0..10 {
            r.count += 1;
            r.time.record(Duration::from_millis(request_ms));
        }
        report
    }

    fn tracking(fail_on_regression: bool) -> Tracking {
        Tracking {
            test: "t::x".into(),
            path: PathBuf::from("unused.sqlite"),
            record: false,
            root: PathBuf::from("."),
            baseline: Some(("run #1".into(), report(100))),
            tolerance: 0.10,
            fail_on_regression,
        }
    }

    #[test]
    fn a_regression_is_an_exit_code_only_when_asked_and_only_over_a_success() {
        let slower = report(150);
        assert_eq!(
            tracking(false).finish(&slower, exit::SUCCESS, &[]),
            exit::SUCCESS
        );
        assert_eq!(
            tracking(true).finish(&slower, exit::SUCCESS, &[]),
            exit::REGRESSION
        );
        // Failed hits, a usage error and Ctrl-C all say more than a regression.
        for code in [exit::HITS_FAILED, exit::USAGE, exit::INTERRUPTED] {
            assert_eq!(tracking(true).finish(&slower, code, &[]), code);
        }
        assert_eq!(
            tracking(true).finish(&report(100), exit::SUCCESS, &[]),
            exit::SUCCESS
        );
    }

    #[test]
    fn a_history_that_cannot_be_written_leaves_the_exit_code_alone() {
        let dir = std::env::temp_dir().join(format!("loadcase-record-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let garbage = dir.join("history.sqlite");
        std::fs::write(&garbage, vec![7u8; 4096]).unwrap();
        let tracking = Tracking {
            path: garbage.clone(),
            record: true,
            baseline: None,
            ..tracking(true)
        };
        assert_eq!(
            tracking.finish(&report(100), exit::SUCCESS, &[]),
            exit::SUCCESS
        );
        assert_eq!(
            std::fs::read(&garbage).unwrap(),
            vec![7u8; 4096],
            "left as it was"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
