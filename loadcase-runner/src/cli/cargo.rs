//! Which package and features to build, as cargo's own options say it.

use std::path::PathBuf;

use clap::Args;

/// `-p`, `--manifest-path`, features and `--debug`, passed on to cargo.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Cargo")]
pub struct CargoOptions {
    /// Package to build, as cargo's -p.
    #[arg(short, long, value_name = "SPEC")]
    pub package: Option<String>,

    /// Path to Cargo.toml, as cargo's --manifest-path.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// Features to activate, as cargo's --features.
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,

    /// Activate all features.
    #[arg(long)]
    pub all_features: bool,

    /// Do not activate the default feature.
    #[arg(long)]
    pub no_default_features: bool,

    /// Build in the dev profile instead of --release.
    #[arg(long)]
    pub debug: bool,
}
