//! `cargo loadrun`: builds the test target, runs a `#[load_test]` as a load in its test binary,
//! shows progress, prints the summary, and exits with a documented code. All load logic lives in
//! the `loadcase` library; this crate is the command line around it.

mod cargo;
mod cli;
mod compare;
mod discover;
mod exit;
mod history;
mod progress;
mod record;
mod relay;
mod summary;
mod supervise;

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use anyhow::{Result, anyhow, bail};
use console::style;
use loadcase::Plan;

use crate::cargo::{TestBinary, TestTarget, Workspace};
use crate::cli::Cli;
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

fn run(cli: &Cli) -> Result<u8> {
    if let Some(cli::Command::History(args)) = &cli.command {
        return record::history_command(args);
    }
    // Everything that can be checked without cargo is checked before any build starts.
    let mut plan = Plan::parse(
        cli.users.as_deref(),
        cli.hits.as_deref(),
        cli.duration.as_deref(),
    )?;
    if let Some(url) = &cli.server_url {
        check_server_url(url, "--server-url")?;
        plan.server_url = Some(url.clone());
    } else if let Some(url) = std::env::var(loadcase::protocol::env::SERVER_URL)
        .ok()
        .filter(|u| !u.is_empty())
    {
        // Checked only when it is the one in force: --server-url overrides it.
        check_server_url(&url, loadcase::protocol::env::SERVER_URL)?;
    }
    loadcase::engine::worker_threads().map_err(|message| anyhow!(message))?;
    let test = match (&cli.test, cli.list) {
        (_, true) => None,
        (Some(test), false) => Some(discover::parse_test_path(test)),
        (None, false) => {
            bail!("give a load test to run as target::function, or --list to see them")
        }
    };
    let workspace = Workspace::load(cli)?;
    let targets = workspace.targets();
    let test = match test {
        Some(Err(error)) => {
            return Err(with_full_names(
                error,
                cli.test.as_deref(),
                &workspace,
                &targets,
            ));
        }
        Some(Ok(path)) => Some(path),
        None => None,
    };
    let Some(path) = test else {
        return list(&workspace, &targets);
    };
    let candidates = discover::find_targets(&path, &targets)?;
    let binaries = workspace.build(&candidates)?;
    let binary = pick(&binaries, &path)?;
    let target = &binary.target;
    let display_name = format!("{}::{}", target.name, path.name);
    let tracking = record::Tracking::start(cli, workspace.root(), &display_name)?;
    let mut display = Display::new(cli.quiet, &display_name, &plan);
    let ending = supervise::run(binary, path.name, &display_name, &plan, &mut display);
    display.finish();
    match ending? {
        Ending::Done(report) => {
            print!("{}", summary::render(&report));
            Ok(tracking.finish(&report, exit::for_report(&report), &[]))
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
            partial(last, progress);
            Ok(exit::USAGE)
        }
        Ending::Killed { last, progress } => {
            eprintln!(
                "{} killed the test binary on the second Ctrl-C",
                style("interrupted:").yellow().bold()
            );
            partial(last, progress);
            Ok(exit::INTERRUPTED)
        }
    }
}

/// Prints what a binary that ended without its final report had sent.
fn partial(last: Option<loadcase::Report>, progress: Option<loadcase::engine::Progress>) {
    match (last, progress) {
        (Some(report), _) => {
            eprintln!("what it had reported (its last snapshot, up to a second old):\n");
            print!("{}", summary::render(&report));
            // On stdout too, so that a saved summary cannot pass for a complete run.
            println!(
                "\nIncomplete: the test binary ended without its final report; these figures are its last snapshot, up to a second old, and the server may have received more."
            );
        }
        (None, Some(p)) => eprintln!(
            "it had reported {} hits: {} successes, {} errors, {} failures",
            p.hits, p.success, p.errors, p.failures
        ),
        (None, None) => eprintln!("it reported nothing before it ended"),
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
fn pick<'b>(binaries: &'b [TestBinary], path: &discover::TestPath<'_>) -> Result<&'b TestBinary> {
    let mut names = Vec::new();
    for binary in binaries {
        let listed = discover::list(binary)?;
        if listed.iter().any(|t| t.name == path.name) {
            return Ok(binary);
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
