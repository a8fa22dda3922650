//! The command line, Loads-compatible where Loads had the option, in groups: each part of the
//! runner takes the group it needs ([`CargoOptions`], [`PlanOptions`], [`OutputOptions`],
//! [`HistoryOptions`], [`QuickOptions`]), never the whole command line; the commands, which
//! dispatch to those parts, take the whole [`Cli`].

pub mod build;
pub mod cargo;
pub mod distributed;
pub mod history;
pub mod live;
pub mod merge;
pub mod outputs;
pub mod plan;
pub mod quick;

use clap::{Parser, Subcommand};

use self::build::BuildArgs;
use self::cargo::CargoOptions;
use self::distributed::DistributedOptions;
use self::history::{HistoryArgs, HistoryOptions};
use self::live::{LiveOptions, RunArgs};
use self::merge::MergeArgs;
use self::outputs::OutputOptions;
use self::plan::PlanOptions;
use self::quick::QuickOptions;

/// Runs `#[load_test]` functions as load tests.
#[derive(Debug, Parser)]
#[command(
    name = "cargo loadrun",
    bin_name = "cargo loadrun",
    version,
    override_usage = USAGE,
    after_help = AFTER_HELP,
    // `cargo loadrun history …` is the subcommand; anything else is a TEST and its options.
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// target::path::function, e.g. example::test_es; several, each with :WEIGHT, make a mix.
    #[arg(value_name = "TEST")]
    pub tests: Vec<String>,

    /// List every load test with its file and line.
    #[arg(long)]
    pub list: bool,

    /// Take plan, thresholds and reports from [profile.NAME] of loadcase.toml.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub plan: PlanOptions,

    #[command(flatten)]
    pub outputs: OutputOptions,

    #[command(flatten)]
    pub history: HistoryOptions,

    #[command(flatten)]
    pub cargo: CargoOptions,

    #[command(flatten)]
    pub quick: QuickOptions,

    #[command(flatten)]
    pub distributed: DistributedOptions,

    #[command(flatten)]
    pub live: LiveOptions,
}

/// What else `cargo loadrun` does besides running a test.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lists the recorded runs, newest first, or sums them up per week, month or year.
    History(HistoryArgs),
    /// Merges the JSON reports of a run's segments into one run: one summary, one verdict.
    Merge(MergeArgs),
    /// Builds a test once and leaves it, with the runner, in a directory that runs without cargo.
    Build(BuildArgs),
    /// Lists the runs in progress here (and the ended and stale ones of the last day).
    Ps,
    /// Follows a run in progress: its live progress, then its summary.
    Attach(RunArgs),
    /// Stops a run in progress as Ctrl-C would: the same summary, reports and history entry.
    Stop(RunArgs),
}

const USAGE: &str = "\
cargo loadrun TEST[:WEIGHT]... [OPTIONS]
       cargo loadrun --list
       cargo loadrun --url URL [OPTIONS]
       cargo loadrun history [TEST] [--weekly | --monthly | --yearly]
       cargo loadrun ps | attach [RUN] | stop [RUN]";

const AFTER_HELP: &str = "\
-u 10:20:30 --hits 20 runs three stages, each user 20 hits: 1200 hits. With no -u, -c or -d the
test runs once. The summary goes to stdout; progress, the test's output and messages to stderr.
Every option is explained in the README.

Exit codes: 0 every hit succeeded · 1 hits failed, errored or were cancelled, a setup or
teardown failed, or the test stopped the run · 2 usage or build error, or the test binary crashed
· 3 a threshold was broken · 4 --fail-on-regression found a regression · 5 a segment missed
--start-at · 6 a partial merge (a segment missing or cut short) · 130 Ctrl-C";

impl Cli {
    /// Parses the process arguments. Cargo runs `cargo-loadrun loadrun ARGS` for
    /// `cargo loadrun ARGS`; run directly (`cargo run -p loadcase-runner -- ARGS`), the binary
    /// takes the same arguments without the `loadrun` word.
    pub fn from_env() -> Cli {
        Cli::parse_from(without_subcommand_word(std::env::args_os()))
    }
}

/// The arguments without the `loadrun` that cargo puts first.
fn without_subcommand_word(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "loadrun") {
        args.remove(1);
    }
    args
}

#[cfg(test)]
mod tests;
