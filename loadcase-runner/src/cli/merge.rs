//! `cargo loadrun merge`'s options: the segments' reports, how many there should be, and what is
//! judged and kept of the merged run.

use std::path::PathBuf;

use clap::Args;

use super::history::HistoryOptions;

/// `cargo loadrun merge DIR|FILE… [--expect N]`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The segments' JSON reports, or directories holding them.
    #[arg(value_name = "DIR|FILE", required = true)]
    pub inputs: Vec<PathBuf>,

    /// How many segments the run had (default: what the reports say).
    #[arg(long, value_name = "N")]
    pub expect: Option<u32>,

    /// Wait up to this long for every segment's final report (30s, 10m).
    #[arg(long, value_name = "DURATION")]
    pub wait: Option<String>,

    /// One more threshold, judged on the merged figures (repeatable).
    #[arg(long = "threshold", value_name = "EXPR")]
    pub thresholds: Vec<String>,

    /// Write the merged run's report, repeatable: .json, .html, .xml (JUnit) or .csv.
    #[arg(long = "report", value_name = "PATH")]
    pub reports: Vec<PathBuf>,

    /// POST a JSON summary of the merged run to this URL (repeatable).
    #[arg(long = "notify", value_name = "URL")]
    pub notify: Vec<String>,

    #[command(flatten)]
    pub history: HistoryOptions,
}
