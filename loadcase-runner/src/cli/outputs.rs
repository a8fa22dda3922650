//! What a run leaves behind besides its summary: thresholds judged, report files, a request
//! log.

use std::path::PathBuf;

use clap::Args;

/// `--threshold`, `--report`, `--log-requests`, `--redact-header`.
#[derive(Clone, Debug, Default, Args)]
#[command(next_help_heading = "Outputs")]
pub struct OutputOptions {
    /// Pass/fail criterion, repeatable: p95<200ms, error_rate<1%, rps>500.
    #[arg(long = "threshold", value_name = "EXPR")]
    pub thresholds: Vec<String>,

    /// Write a report, repeatable: .json, .html, .xml (JUnit) or .csv.
    #[arg(long = "report", value_name = "PATH")]
    pub reports: Vec<PathBuf>,

    /// Log every request to a .jsonl or .csv file.
    #[arg(long, value_name = "PATH")]
    pub log_requests: Option<PathBuf>,

    /// One more header kept out of the log and reports (repeatable).
    #[arg(long = "redact-header", value_name = "NAME")]
    pub redact_headers: Vec<String>,
}
