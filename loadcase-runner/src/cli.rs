//! The command line, Loads-compatible where Loads had the option.

use std::path::PathBuf;

use clap::Parser;

/// Runs `#[load_test]` functions as load tests.
///
/// TEST is `target::path::function`: `example::test_es` is `test_es` in `tests/example.rs`.
/// Stages run one after another, all users of a stage at once; each user runs the sum of the
/// hits, so `-u 10:20:30 --hits 20` is 1200 hits. With no -u, -c or -d the test runs once.
#[derive(Debug, Parser)]
#[command(name = "cargo loadrun", bin_name = "cargo loadrun", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The load test to run, as target::path::function.
    #[arg(value_name = "TEST", required_unless_present = "list")]
    pub test: Option<String>,

    /// List every load test with its file and line, then exit.
    #[arg(long)]
    pub list: bool,

    /// Users of each stage, colon-separated: `-u 10:20:30` runs three stages.
    #[arg(short, long, value_name = "STAGES", allow_hyphen_values = true)]
    pub users: Option<String>,

    /// Hits per user, colon-separated values add up (`--cycles` and `--hits` are the same).
    #[arg(
        short = 'c',
        long = "hits",
        visible_alias = "cycles",
        value_name = "HITS",
        allow_hyphen_values = true
    )]
    pub hits: Option<String>,

    /// Instead of hits: each stage lasts this long, users loop (30s, 2m, 1h30m, 500ms, or seconds;
    /// at most 365 days). Hits still running at a stage's end get 5 s, then count as cancelled.
    #[arg(
        short,
        long,
        value_name = "DURATION",
        allow_hyphen_values = true,
        conflicts_with = "hits"
    )]
    pub duration: Option<String>,

    /// Base URL of `cx.app`; overrides LOADCASE_SERVER_URL and the attribute's server_url.
    #[arg(long, value_name = "URL")]
    pub server_url: Option<String>,

    /// Pass/fail criterion, repeatable: `p95<200ms`, `error_rate<1%`, `rps>500`,
    /// `'GET /login: p99<1s'`. Added to the test's own `thresholds(…)`; a broken one exits 3.
    #[arg(long = "threshold", value_name = "EXPR")]
    pub thresholds: Vec<String>,

    /// Write a report, repeatable; the format follows the extension: .json (everything,
    /// mergeable), .html (self-contained, with plots), .xml (JUnit), .csv (per-request table).
    #[arg(long = "report", value_name = "PATH")]
    pub reports: Vec<PathBuf>,

    /// Log every request to PATH (.jsonl or .csv): time, name, method, URL, status, timings,
    /// bytes, outcome, and the first KiB of failed responses' bodies.
    #[arg(long, value_name = "PATH")]
    pub log_requests: Option<PathBuf>,

    /// A header whose value never lands in a log or report (repeatable); Authorization,
    /// Proxy-Authorization, Cookie and Set-Cookie always are redacted.
    #[arg(long = "redact-header", value_name = "NAME")]
    pub redact_headers: Vec<String>,

    /// Take users, hits or duration, server URL, thresholds and reports from
    /// `[profile.NAME]` of loadcase.toml in the test's package; flags given here override it.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// No progress display (the test's own output and errors are still shown on stderr).
    #[arg(short, long)]
    pub quiet: bool,

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

const EXIT_CODES: &str = "\
The summary goes to stdout; progress, the test's own output and messages go to stderr.

Exit codes:
  0    every hit succeeded
  1    some hits failed, ended in an error or were cancelled, or no hit completed
  2    usage error, build error, or the test binary crashed (what it reported is printed)
  3    every hit succeeded but a threshold was broken
  130  interrupted by Ctrl-C (or SIGTERM, SIGHUP): the summary shows what ran, if the load
       had started; a second Ctrl-C kills the test binary";

impl Cli {
    /// Parses the process arguments. Cargo runs `cargo-loadrun loadrun ARGS` for
    /// `cargo loadrun ARGS`; the binary also works run directly.
    pub fn from_env() -> Cli {
        let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        if args.get(1).is_some_and(|a| a == "loadrun") {
            args.remove(1);
        }
        Cli::parse_from(args)
    }
}
