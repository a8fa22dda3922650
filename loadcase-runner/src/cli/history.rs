//! The run history's options: where it is, whether to record, what to compare with; and the
//! `history` subcommand's.

use std::path::PathBuf;

use clap::Args;

/// `--history`, `--no-history`, `--compare` and what judges a comparison.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "History and comparison")]
pub struct HistoryOptions {
    /// The run history file (default: .loadcase/history.sqlite).
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,

    /// Do not record this run.
    #[arg(long)]
    pub no_history: bool,

    /// Compare with a baseline: last, a run id, or a JSON report.
    #[arg(long, value_name = "BASELINE")]
    pub compare: Option<String>,

    /// How much worse a figure may get.
    #[arg(
        long,
        value_name = "PCT",
        default_value = "10%",
        value_parser = parse_tolerance,
        allow_hyphen_values = true,
        requires = "compare"
    )]
    pub regression_tolerance: f64,

    /// Exit 4 when --compare finds a regression.
    #[arg(long, requires = "compare")]
    pub fail_on_regression: bool,
}

/// `cargo loadrun history [TEST] [--weekly | --monthly | --yearly]`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only runs of this test (`example::test_es`), or of every test in a target (`example`).
    #[arg(value_name = "TEST")]
    pub test: Option<String>,

    /// One row per ISO week and test, with figures combined over its runs.
    #[arg(long, group = "period")]
    pub weekly: bool,

    /// One row per month and test.
    #[arg(long, group = "period")]
    pub monthly: bool,

    /// One row per year and test.
    #[arg(long, group = "period")]
    pub yearly: bool,

    /// How many runs to list, newest first (without a period).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 20,
        value_parser = parse_limit,
        allow_hyphen_values = true,
        conflicts_with = "period"
    )]
    pub limit: usize,

    /// The run history file (default: `<workspace root>/.loadcase/history.sqlite`).
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,

    /// Path to Cargo.toml, to find the workspace root.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
}

/// `10%`, `10` or `2.5%`, as a fraction (0.1).
pub fn parse_tolerance(text: &str) -> Result<f64, String> {
    let number = text.trim().strip_suffix('%').unwrap_or(text.trim());
    match number.trim().parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p / 100.0),
        Ok(p) if p < 0.0 => Err(format!(
            "`{text}` is negative: a tolerance is how much worse a figure may get, 0% or more; write e.g. 10% or 2.5"
        )),
        _ => Err(format!(
            "`{text}` is not a percentage; write e.g. 10% or 2.5"
        )),
    }
}

/// `history --limit N`: how many runs to list, 1 or more.
pub fn parse_limit(text: &str) -> Result<usize, String> {
    let fix = "write a whole number of runs, 1 or more, e.g. --limit 50";
    match text.trim().parse::<i128>() {
        Ok(n) if n >= 1 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        Ok(n) if n < 0 => Err(format!("`{text}` is negative; {fix}")),
        Ok(_) => Err(format!("0 runs would list nothing; {fix}")),
        Err(_) => Err(format!("`{text}` is not a whole number; {fix}")),
    }
}
