//! `cargo loadrun build`'s options: which tests to build, where to leave them.

use std::path::PathBuf;

use clap::Args;

use super::cargo::CargoOptions;

/// `cargo loadrun build TEST… --out DIR`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// target::path::function, as for a run; several, each with :WEIGHT, make a mix.
    #[arg(value_name = "TEST", required = true)]
    pub tests: Vec<String>,

    /// The directory to leave the test binary, the runner and the manifest in.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// No cargo progress.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub cargo: CargoOptions,
}
