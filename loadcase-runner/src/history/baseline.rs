//! What `--compare` names — the latest earlier run, a run of the history by id, or a JSON
//! report — and loading it before the run, so that a baseline that cannot be had costs no run.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use loadcase::Report;

use super::store::{History, HistoryError, StoredRun};
use crate::text::format::local_time;

/// What `--compare` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Baseline {
    /// The latest earlier complete run of the same test in the history.
    Last,
    /// A run of the history, by id.
    Run(i64),
    /// A JSON report written by `--report FILE.json`.
    File(PathBuf),
}

impl Baseline {
    /// `last`, a number, or anything else as a path.
    pub fn parse(text: &str) -> Baseline {
        if text == "last" {
            Baseline::Last
        } else if let Ok(id) = text.parse::<i64>() {
            Baseline::Run(id)
        } else {
            Baseline::File(PathBuf::from(text))
        }
    }
}

/// The baseline's report and what to call it, from the history at `path` or from its file.
pub fn load(baseline: &Baseline, path: &Path, test: &str) -> Result<(String, Report)> {
    let stored = |run: StoredRun| {
        let label = format!(
            "run #{} of {}",
            run.id,
            local_time(run.report.started_unix_ms as i64)
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
                local_time(report.started_unix_ms as i64)
            );
            Ok((label, report))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_are_last_an_id_or_a_file() {
        assert_eq!(Baseline::parse("last"), Baseline::Last);
        assert_eq!(Baseline::parse("42"), Baseline::Run(42));
        assert_eq!(
            Baseline::parse("before.json"),
            Baseline::File(PathBuf::from("before.json"))
        );
        assert_eq!(
            Baseline::parse("runs/last"),
            Baseline::File(PathBuf::from("runs/last"))
        );
    }
}
