//! `cargo loadrun`: builds the test target, runs a `#[load_test]` as a load in its test binary,
//! shows progress, prints the summary, and exits with a documented code. All load logic lives in
//! the `loadcase` library; this crate is the command line around it.

mod cargo;
mod cli;
mod compare;
mod discover;
mod exit;
mod finish;
mod history;
mod html;
mod mix;
mod profile;
mod progress;
mod quick;
mod record;
mod relay;
mod reports;
mod summary;
mod supervise;

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use anyhow::{Context as _, Result, anyhow, bail};
use console::style;
use loadcase::__private::runner::ListedTest;
use loadcase::__private::runner::PlanArgs;
use loadcase::Plan;
use loadcase::plan::{LogFormat, LogSpec};
use loadcase::report as threshold;

use crate::cargo::{TestBinary, TestTarget, Workspace};
use crate::cli::Cli;
use crate::finish::Outputs;
use crate::progress::Display;
use crate::supervise::{Ending, INTERRUPTS, Interrupted};

fn main() -> ExitCode {
    let cli = Cli::from_env();
    // The test binary runs in its own process group; Ctrl-C reaches only us, and we relay it.
    let _ = ctrlc::set_handler(|| {
        INTERRUPTS.fetch_add(1, Ordering::Relaxed);
    });
    match run(&cli) {
        Ok(code) => exit::code(code),
        Err(error) if error.is::<Interrupted>() || INTERRUPTS.load(Ordering::Relaxed) > 0 => {
            eprintln!("{} {error:#}", style("interrupted:").yellow().bold());
            exit::code(exit::INTERRUPTED)
        }
        Err(error) => {
            eprintln!("{} {error:#}", style("error:").red().bold());
            exit::code(exit::USAGE)
        }
    }
}

/// A run's plan and outputs, from the command line over a profile.
struct Settings {
    plan: Plan,
    outputs: Outputs,
}

fn settings(cli: &Cli, profile: profile::Settings) -> Result<Settings> {
    // A length on the command line replaces the profile's, whichever kind each is.
    let (hits, duration) = match (&cli.hits, &cli.duration) {
        (None, None) => (profile.hits, profile.duration),
        _ => (cli.hits.clone(), cli.duration.clone()),
    };
    let users = cli.users.clone().or(profile.users);
    let mut plan = Plan::parse_args(&PlanArgs {
        users: users.as_deref(),
        hits: hits.as_deref(),
        duration: duration.as_deref(),
        ramp_up: cli.ramp_up.as_deref(),
        ramp: cli.ramp.as_deref(),
        stage_pause: cli.stage_pause.as_deref(),
        stages: cli.stages.as_deref(),
        rate: cli.rate.as_deref(),
        rate_stages: cli.rate_stages.as_deref(),
        max_users: cli.max_users.as_deref(),
        max_delay: cli.max_delay.as_deref(),
        think: cli.think.as_deref(),
        hit_timeout: cli.hit_timeout.as_deref(),
        request_timeout: cli.request_timeout.as_deref(),
        body_limit: None,
    })?;
    if let Some(url) = &cli.server_url {
        check_server_url(url, "--server-url")?;
        plan.server_url = Some(url.clone());
    } else if let Some(url) = profile.server_url {
        check_server_url(&url, "the profile's server_url")?;
        plan.server_url = Some(url);
    } else if let Some(url) = std::env::var(loadcase::__private::runner::env::SERVER_URL)
        .ok()
        .filter(|u| !u.is_empty())
    {
        // Checked only when it is the one in force: --server-url overrides it.
        check_server_url(&url, loadcase::__private::runner::env::SERVER_URL)?;
    }
    // Lists given on the command line replace the profile's.
    let thresholds = if cli.thresholds.is_empty() {
        profile.thresholds
    } else {
        cli.thresholds.clone()
    };
    let thresholds =
        threshold::parse_thresholds(&thresholds).map_err(|e| anyhow!("--threshold: {e}"))?;
    let reports = if cli.reports.is_empty() {
        profile.reports
    } else {
        cli.reports.clone()
    };
    reports::check(&reports)?;
    if let Some(path) = &cli.log_requests {
        plan.log = Some(request_log_spec(path, &cli.redact_headers)?);
    }
    Ok(Settings {
        plan,
        outputs: Outputs {
            thresholds,
            reports,
            by_test: Vec::new(),
        },
    })
}

/// The request log's file, made absolute (the test binary runs in its package's directory) and
/// created now, so that an unwritable path stops the run before it starts.
fn request_log_spec(path: &std::path::Path, redact: &[String]) -> Result<LogSpec> {
    if LogFormat::of(path).is_none() {
        bail!(
            "--log-requests {}: unknown format; end the path in .jsonl or .csv",
            path.display()
        );
    }
    let path = std::env::current_dir()?.join(path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--log-requests: cannot create {}", dir.display()))?;
    }
    std::fs::File::create(&path)
        .with_context(|| format!("--log-requests: cannot write {}", path.display()))?;
    Ok(LogSpec {
        path,
        redact_headers: redact.to_vec(),
    })
}

fn run(cli: &Cli) -> Result<u8> {
    if let Some(cli::Command::History(args)) = &cli.command {
        return record::history_command(args);
    }
    // Quick mode needs no cargo project: it goes before anything runs cargo.
    if let Some(code) = quick::run_if_asked(cli)? {
        return Ok(code);
    }
    // Everything that can be checked without cargo is checked before any build starts (with a
    // profile, once more when it has been read).
    let early = settings(cli, profile::Settings::default())?;
    loadcase::__private::runner::worker_threads().map_err(|message| anyhow!(message))?;
    let tests = (!cli.list).then(|| mix::Selection::parse(&cli.tests));
    let workspace = Workspace::load(cli)?;
    let targets = workspace.targets();
    let tests = match tests {
        Some(Err(error)) => {
            // A bare name, without its weight if it has one (`browse:3`).
            let bare = cli.tests.iter().find(|t| !t.contains("::"));
            let bare = bare.map(|t| t.split(':').next().unwrap_or(t));
            return Err(with_full_names(error, bare, &workspace, &targets));
        }
        Some(Ok(tests)) => tests,
        None => return list(&workspace, &targets),
    };
    let path = tests.first();
    let candidates = discover::find_targets(path, &targets)?;
    let Settings {
        mut plan,
        mut outputs,
    } = match &cli.profile {
        None => early,
        Some(name) => {
            let dirs = [candidates[0].package_dir.as_path(), workspace.root()];
            let file = profile::find(&dirs).ok_or_else(|| {
                anyhow!(
                    "--profile {name}: no {} in {} or {}; create one with a [profile.{name}] table",
                    profile::FILE,
                    dirs[0].display(),
                    dirs[1].display()
                )
            })?;
            settings(cli, profile::load(&file, name)?)?
        }
    };
    let binaries = workspace.build(&candidates)?;
    let picked = tests.pick(&binaries)?;
    let (binary, display_name) = (picked.binary, picked.display_name.as_str());
    // The tests' own thresholds come first, as they are part of them.
    picked.add_thresholds(&mut outputs)?;
    plan.mix = tests.plan_mix();
    let tracking = record::Tracking::start(cli, workspace.root(), display_name)?;
    let mut display = Display::new(cli.quiet, display_name, &plan);
    let ending = supervise::run(binary, path.name, display_name, &plan, &mut display);
    display.finish();
    match ending? {
        Ending::Done(report) => {
            let (verdicts, code) = finish::complete(&report, &outputs);
            Ok(tracking.finish(&report, code, &verdicts))
        }
        Ending::Crashed {
            status,
            last,
            progress,
        } => {
            let what = if status.success() { "ended" } else { "crashed" };
            eprintln!(
                "{} the test binary of `{display_name}` {what} ({status}) before reporting its results (its own output, if any, is above)",
                style("error:").red().bold()
            );
            finish::partial(last, progress, &outputs);
            Ok(exit::USAGE)
        }
        Ending::Killed { last, progress } => {
            eprintln!(
                "{} killed the test binary on the second Ctrl-C",
                style("interrupted:").yellow().bold()
            );
            finish::partial(last, progress, &outputs);
            Ok(exit::INTERRUPTED)
        }
    }
}

/// A base URL for `cx.app`: http or https, a host, and no query or fragment (paths are
/// appended to it). `source` names where it came from, for the message.
fn check_server_url(url: &str, source: &str) -> Result<()> {
    let example = "write e.g. http://127.0.0.1:8080 or https://staging.example.com/api";
    let parsed = url::Url::parse(url)
        .map_err(|e| anyhow!("{source}: `{url}` is not a URL ({e}); {example}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        bail!("{source}: `{url}` is not an http:// or https:// URL with a host; {example}");
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        bail!(
            "{source}: `{url}` has a query or fragment, but request paths are appended to it; {example}"
        );
    }
    Ok(())
}

/// A bare function name (`test_es`) is not a path; name the load tests it could mean.
fn with_full_names(
    error: anyhow::Error,
    text: Option<&str>,
    workspace: &Workspace,
    targets: &[TestTarget],
) -> anyhow::Error {
    let Some(bare) = text.filter(|t| !t.is_empty() && !t.contains("::")) else {
        return error;
    };
    let buildable: Vec<&TestTarget> = targets.iter().filter(|t| t.buildable).collect();
    let Ok(binaries) = workspace.build(&buildable) else {
        return error;
    };
    let suffix = format!("::{bare}");
    let mut matches: Vec<String> = binaries
        .iter()
        .filter_map(|binary| Some((binary, discover::list(binary).ok()?)))
        .flat_map(|(binary, tests)| {
            tests
                .into_iter()
                .map(move |t| format!("{}::{}", binary.target.name, t.name))
        })
        .filter(|name| name.ends_with(&suffix))
        .collect();
    matches.sort();
    matches.dedup();
    if matches.is_empty() {
        return error;
    }
    let quoted: Vec<String> = matches.iter().map(|m| format!("`{m}`")).collect();
    anyhow!(
        "{error}\n  load tests named `{bare}`: {}",
        quoted.join(", ")
    )
}

/// Of the binaries built for a test path, the one that holds the test; or an error that lists
/// the load tests they do hold, with the closest first.
fn pick<'b>(
    binaries: &'b [TestBinary],
    path: &discover::TestPath<'_>,
) -> Result<(&'b TestBinary, ListedTest)> {
    let mut names = Vec::new();
    for binary in binaries {
        let listed = discover::list(binary)?;
        if let Some(test) = listed.iter().find(|t| t.name == path.name) {
            return Ok((binary, test.clone()));
        }
        names.extend(
            listed
                .iter()
                .map(|t| format!("{}::{}", binary.target.name, t.name)),
        );
    }
    names.sort();
    names.dedup();
    let wanted = format!("{}::{}", path.target, path.name);
    let hint = discover::did_you_mean(&discover::suggest(
        &wanted,
        names.iter().map(String::as_str),
    ));
    let available = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    };
    bail!(
        "no load test `{wanted}`{hint}\n  load tests in target `{}`: {available}",
        path.target
    )
}

fn list(workspace: &Workspace, targets: &[TestTarget]) -> Result<u8> {
    // Targets whose required features are off are left out, as cargo test leaves them out.
    let buildable: Vec<&TestTarget> = targets.iter().filter(|t| t.buildable).collect();
    let binaries = workspace.build(&buildable)?;
    let mut rows = Vec::new();
    for binary in &binaries {
        for test in discover::list(binary)? {
            rows.push((
                format!("{}::{}", binary.target.name, test.name),
                format!("{}:{}", test.file, test.line),
            ));
        }
    }
    if rows.is_empty() {
        eprintln!(
            "no load tests found under {}; mark an async fn(cx: &mut Context) #[load_test] in tests/*.rs",
            workspace.root().display()
        );
        return Ok(exit::SUCCESS);
    }
    rows.sort();
    rows.dedup();
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, place) in &rows {
        println!("{name:<width$}  {place}");
    }
    Ok(exit::SUCCESS)
}
