//! Running one plan as several processes, on one machine or many: which share this process
//! runs, when the shares start, what ties them together; and running from a built artifact
//! instead of cargo, on a node without a toolchain.

use std::path::PathBuf;

use clap::Args;

/// `--segment`, `--segments`, `--start-at`, `--run-id`, `--dry-run`, `--artifact`.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Distributed: one plan over several processes")]
pub struct DistributedOptions {
    /// Run the K-th of N equal shares of the plan, e.g. 2/3.
    #[arg(long, value_name = "K/N", conflicts_with = "segments")]
    pub segment: Option<String>,

    /// One of N shares, K from JOB_COMPLETION_INDEX or SLURM_PROCID (N: auto).
    #[arg(long, value_name = "N|auto")]
    pub segments: Option<String>,

    /// Get ready, then start at this time (RFC 3339, or Unix seconds).
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<String>,

    /// The same in every segment of one run; seeds random choices.
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,

    /// Print each segment's share of the plan, and run nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Run from a directory made by `cargo loadrun build`, without cargo.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with_all = [
            "package", "manifest_path", "features", "all_features", "no_default_features",
            "debug", "url",
        ]
    )]
    pub artifact: Option<PathBuf>,
}

impl DistributedOptions {
    /// Whether this process runs a segment of a split plan.
    pub fn segmented(&self) -> bool {
        self.segment.is_some() || self.segments.is_some()
    }
}
