//! `cargo loadrun history`: the latest runs of the history, or their totals per week, month or
//! year.

use anyhow::Result;

use crate::cli::history::HistoryArgs;
use crate::exit;
use crate::history::store::{self, History, HistoryError};
use crate::history::views::{self, Period};
use crate::workspace::cargo::workspace_root;

/// `cargo loadrun history`: the latest runs, or per-period totals.
pub fn dispatch(args: &HistoryArgs) -> Result<u8> {
    let path = match &args.history {
        Some(path) => path.clone(),
        None => store::default_path(&workspace_root(args.manifest_path.as_deref())?),
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
