//! The command line, Loads-compatible where Loads had the option.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Runs `#[load_test]` functions as load tests.
///
/// TEST is `target::path::function`: `example::test_es` is `test_es` in `tests/example.rs`.
/// Several TESTs, each with an optional `:WEIGHT`, make a mix.
/// Stages run one after another, all users of a stage at once; each user runs the sum of the
/// hits, so `-u 10:20:30 --hits 20` is 1200 hits. With no -u, -c or -d the test runs once.
///
/// `--url URL` instead of TEST load-tests one URL without writing a test, outside any cargo
/// project: `cargo loadrun --url http://127.0.0.1:8080/api -u 50 -c 20`.
#[derive(Debug, Parser)]
#[command(
    name = "cargo loadrun",
    bin_name = "cargo loadrun",
    version,
    after_help = EXIT_CODES,
    // `cargo loadrun history …` is the subcommand; anything else is a TEST and its options.
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The load test to run, as target::path::function; several make a mix, each user running
    /// one of them by weight: `example::browse:3 example::checkout:1` (weights 1 to 1000,
    /// default 1; the tests of a mix must be in one target).
    #[arg(value_name = "TEST", required_unless_present_any = ["list", "url"])]
    pub tests: Vec<String>,

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

    /// Start each stage's users evenly over this time instead of all at once (`-d` stages still
    /// last -d from their start).
    #[arg(long, value_name = "DURATION", help_heading = "Load shape")]
    pub ramp_up: Option<String>,

    /// How users start within --ramp-up: `linear` (evenly spaced, the default) or `random`.
    #[arg(long, value_name = "HOW", help_heading = "Load shape")]
    pub ramp: Option<String>,

    /// A pause between -u stages, with no user running.
    #[arg(long, value_name = "DURATION", help_heading = "Load shape")]
    pub stage_pause: Option<String>,

    /// Users moving linearly toward each target over its duration: `'10@30s, 50@2m, 0@30s'`.
    /// Replaces -u, -c and -d; users removed on the way down finish their current hit.
    #[arg(long, value_name = "TARGETS", help_heading = "Load shape")]
    pub stages: Option<String>,

    /// Open model: start hits at this rate whatever the response times (`500/s`, `30/m`), for
    /// -d; users come from a pool of at most --max-users. Hit times count from when each hit
    /// was due (coordinated omission corrected); the summary also shows the raw service time.
    #[arg(long, value_name = "RATE", help_heading = "Open model")]
    pub rate: Option<String>,

    /// Open model with a rate moving linearly toward each target over its duration:
    /// `'100/s@1m, 500/s@2m'` (from --rate, or from 0).
    #[arg(long, value_name = "TARGETS", help_heading = "Open model")]
    pub rate_stages: Option<String>,

    /// Open model: most virtual users at once (default 1000). A hit due while all are busy
    /// waits for one; past --max-delay it is counted as dropped.
    #[arg(long, value_name = "N", help_heading = "Open model")]
    pub max_users: Option<String>,

    /// Open model: how late a hit may start when every user was busy before it is dropped
    /// (default 1s).
    #[arg(long, value_name = "DURATION", help_heading = "Open model")]
    pub max_delay: Option<String>,

    /// Think time between a user's hits: `200ms`, or uniform in a range `100ms..500ms`.
    #[arg(long, value_name = "PAUSE", help_heading = "Pacing and limits")]
    pub think: Option<String>,

    /// Cancel a hit that runs longer than this and count it as an error naming the timeout.
    #[arg(long, value_name = "DURATION", help_heading = "Pacing and limits")]
    pub hit_timeout: Option<String>,

    /// Default timeout of every `cx.session` / `cx.app` request (60s unless set); a request's
    /// own `.timeout(…)` wins.
    #[arg(long, value_name = "DURATION", help_heading = "Pacing and limits")]
    pub request_timeout: Option<String>,

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

    // Run history and comparison (see history.rs, compare.rs).
    /// The run history file (default: `<workspace root>/.loadcase/history.sqlite`).
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,

    /// Do not record this run in the history (a --compare baseline is still read from it).
    #[arg(long)]
    pub no_history: bool,

    /// Compare the run with a baseline: `last` (the latest earlier complete run of the test in
    /// the history), a run id from `cargo loadrun history`, or a JSON report (--report FILE.json).
    #[arg(long, value_name = "BASELINE")]
    pub compare: Option<String>,

    /// How much worse a figure may get than the baseline before it is a regression.
    #[arg(
        long,
        value_name = "PCT",
        default_value = "10%",
        value_parser = parse_tolerance,
        requires = "compare"
    )]
    pub regression_tolerance: f64,

    /// Exit with code 4 when --compare finds a regression (and nothing worse went wrong).
    #[arg(long, requires = "compare")]
    pub fail_on_regression: bool,

    // Quick mode: one URL and no test to write (see quick.rs).
    /// Load-test this URL without writing a test (no cargo project, no build): each hit is one
    /// request. -u, -c/-d, --threshold, --report and --log-requests work as for a test.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with_all = [
            "tests", "list", "server_url", "package", "manifest_path", "features",
            "all_features", "no_default_features", "debug",
        ]
    )]
    pub url: Option<String>,

    /// With --url: the request's method (default GET, or POST with --data).
    #[arg(long, value_name = "METHOD", requires = "url")]
    pub method: Option<String>,

    /// With --url: the request body; `@FILE` sends the content of FILE.
    #[arg(
        long,
        value_name = "BODY",
        requires = "url",
        allow_hyphen_values = true
    )]
    pub data: Option<String>,

    /// With --url: a request header, `'Name: value'` (repeatable).
    #[arg(long = "header", value_name = "'NAME: VALUE'", requires = "url")]
    pub headers: Vec<String>,

    /// With --url: the statuses a hit must get, repeatable or comma-separated (default: any
    /// 2xx or 3xx); any other status fails the hit.
    #[arg(
        long,
        value_name = "STATUS",
        requires = "url",
        value_delimiter = ',',
        value_parser = clap::value_parser!(u16).range(100..=599)
    )]
    pub expect_status: Vec<u16>,
}

/// What else `cargo loadrun` does besides running a test.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lists the recorded runs, newest first, or sums them up per week, month or year.
    History(HistoryArgs),
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
fn parse_tolerance(text: &str) -> Result<f64, String> {
    let number = text.trim().strip_suffix('%').unwrap_or(text.trim());
    match number.trim().parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p / 100.0),
        _ => Err(format!(
            "`{text}` is not a percentage; write e.g. 10% or 2.5"
        )),
    }
}

const EXIT_CODES: &str = "\
The summary goes to stdout; progress, the test's own output and messages go to stderr.

Exit codes:
  0    every hit succeeded
  1    some hits failed, ended in an error or were cancelled, no hit completed, a user's
       setup or teardown failed, or the test stopped the run (a .unique() dataset out of rows)
  2    usage error, build error, or the test binary crashed (what it reported is printed)
  3    every hit succeeded but a threshold was broken
  4    --fail-on-regression and --compare found a figure worse than the baseline by more
       than --regression-tolerance (only when the run would otherwise exit 0)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("cargo-loadrun").chain(args.iter().copied()))
    }

    #[test]
    fn a_test_its_options_and_list_still_parse_beside_the_subcommand() {
        let cli = parse(&["example::test_es", "-u", "100", "-c", "10"]).unwrap();
        assert_eq!(cli.tests, ["example::test_es"]);
        assert!(cli.command.is_none());
        assert!(parse(&["--list"]).unwrap().list);
        assert!(parse(&[]).is_err(), "TEST is still required");
        let cli = parse(&["example::test_es", "--history", "h.sqlite", "--no-history"]).unwrap();
        assert_eq!(cli.history, Some(PathBuf::from("h.sqlite")));
        assert!(cli.no_history);
    }

    #[test]
    fn history_is_a_subcommand_with_its_own_options() {
        let cli = parse(&["history"]).unwrap();
        let Some(Command::History(args)) = cli.command else {
            panic!("{cli:?}")
        };
        assert_eq!((args.test, args.limit), (None, 20));
        let cli = parse(&["history", "example::test_es", "--weekly", "--history", "h"]).unwrap();
        let Some(Command::History(args)) = cli.command else {
            panic!("{cli:?}")
        };
        assert_eq!(args.test.as_deref(), Some("example::test_es"));
        assert!(args.weekly && !args.monthly && !args.yearly);
        assert_eq!(args.history, Some(PathBuf::from("h")));
        assert!(parse(&["history", "--weekly", "--monthly"]).is_err());
        assert!(parse(&["history", "--weekly", "--limit", "3"]).is_err());
        // A run's options do not go with the subcommand; after a test, `history` is one more
        // test of a mix (which the runner then finds is not a test path).
        assert!(parse(&["example::test_es", "history", "--weekly"]).is_err());
        let cli = parse(&["example::test_es", "history"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.tests, ["example::test_es", "history"]);
    }

    #[test]
    fn tolerances_are_percentages_and_go_with_compare() {
        let tolerance = |text: &str| {
            parse(&["t::x", "--compare", "last", "--regression-tolerance", text])
                .map(|cli| cli.regression_tolerance)
        };
        assert_eq!(tolerance("10%").unwrap(), 0.10);
        assert_eq!(tolerance("10").unwrap(), 0.10);
        assert_eq!(tolerance("2.5%").unwrap(), 0.025);
        assert_eq!(tolerance("0").unwrap(), 0.0);
        for bad in ["-5%", "ten", "%", "NaN", "inf"] {
            assert!(tolerance(bad).is_err(), "{bad}");
        }
        let cli = parse(&["t::x", "--compare", "last"]).unwrap();
        assert_eq!(cli.regression_tolerance, 0.10, "the default");
        assert!(!cli.fail_on_regression);
        assert!(
            parse(&["t::x", "--fail-on-regression"]).is_err(),
            "needs --compare"
        );
        assert!(parse(&["t::x", "--regression-tolerance", "5"]).is_err());
        assert!(
            parse(&["t::x", "--compare", "3", "--fail-on-regression"])
                .unwrap()
                .fail_on_regression
        );
    }
}
