//! The history and the comparison around one run, as the command line asks for them, and the
//! `history` subcommand. The run's own flow calls [`Tracking::start`] before the load and
//! [`Tracking::finish`] after it, and nothing else.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use console::style;
use loadcase::Report;
use loadcase::report::Verdict;

use crate::cli::{Cli, HistoryArgs};
use crate::compare::{Baseline, Comparison};
use crate::exit;
use crate::history::views::{self, Period};
use crate::history::{Environment, History, HistoryError, NewRun, StoredRun};

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
    pub fn start(cli: &Cli, root: &Path, test: &str) -> Result<Tracking> {
        let path = cli
            .history
            .clone()
            .unwrap_or_else(|| crate::history::default_path(root));
        let baseline = cli
            .compare
            .as_deref()
            .map(|text| load_baseline(&Baseline::parse(text), &path, test))
            .transpose()
            .context("--compare")?;
        Ok(Tracking {
            test: test.to_owned(),
            path,
            record: !cli.no_history,
            root: root.to_owned(),
            baseline,
            tolerance: cli.regression_tolerance,
            fail_on_regression: cli.fail_on_regression,
        })
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

fn load_baseline(baseline: &Baseline, path: &Path, test: &str) -> Result<(String, Report)> {
    let stored = |run: StoredRun| {
        let label = format!(
            "run #{} of {}",
            run.id,
            views::local_time(run.report.started_unix_ms as i64)
        );
        (label, run.report)
    };
    match baseline {
        Baseline::Last => {
            let latest = match History::open_existing(path) {
                Err(HistoryError::Missing { .. }) => None,
                history => history?.latest(test)?,
            };
            latest.map(stored).ok_or_else(|| {
                anyhow!(
                    "no earlier complete run of `{test}` in the run history {}; run it once without --compare first",
                    path.display()
                )
            })
        }
        Baseline::Run(id) => Ok(stored(History::open_existing(path)?.run(*id)?)),
        Baseline::File(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let report: Report = serde_json::from_str(&text).map_err(|e| {
                anyhow!(
                    "{} is not a loadcase JSON report ({e}); write one with --report FILE.json",
                    file.display()
                )
            })?;
            let label = format!(
                "{} ({} of {})",
                file.display(),
                report.test,
                views::local_time(report.started_unix_ms as i64)
            );
            Ok((label, report))
        }
    }
}

/// `cargo loadrun history`: the latest runs, or per-period totals.
pub fn history_command(args: &HistoryArgs) -> Result<u8> {
    let path = match &args.history {
        Some(path) => path.clone(),
        None => crate::history::default_path(&crate::cargo::workspace_root(
            args.manifest_path.as_deref(),
        )?),
    };
    let what = args
        .test
        .as_deref()
        .map_or_else(String::new, |t| format!(" of `{t}`"));
    let nothing = || {
        eprintln!("no runs{what} recorded in {}", path.display());
        Ok(exit::SUCCESS)
    };
    let history = match History::open_existing(&path) {
        Err(HistoryError::Missing { .. }) => return nothing(),
        history => history?,
    };
    let test = args.test.as_deref();
    let period = [
        (args.weekly, Period::Week),
        (args.monthly, Period::Month),
        (args.yearly, Period::Year),
    ]
    .into_iter()
    .find_map(|(on, period)| on.then_some(period));
    let table = match period {
        None => {
            let runs = history.list(test, args.limit)?;
            if runs.is_empty() {
                return nothing();
            }
            views::render_list(&runs)
        }
        Some(period) => {
            let mut periods = views::Periods::new();
            history.each_report(test, |_, report| {
                views::add_to_period(&mut periods, period, &chrono::Local, &report);
            })?;
            if periods.is_empty() {
                return nothing();
            }
            views::render_periods(&periods)
        }
    };
    print!("{table}");
    Ok(exit::SUCCESS)
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
