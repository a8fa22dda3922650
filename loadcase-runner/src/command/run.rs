//! `cargo loadrun TEST…`: the load test run in its test binary. Everything that can be checked
//! without cargo is checked before any build starts; then the target is built, the test found,
//! the binary supervised, and the run finished, compared and recorded.

use std::path::Path;

use anyhow::{Result, anyhow};
use console::style;

use super::finish;
use crate::child::status;
use crate::child::supervise::{self, Ending};
use crate::cli::Cli;
use crate::exit;
use crate::history::tracking::Tracking;
use crate::progress::Display;
use crate::settings::{self, Settings, profile};
use crate::workspace::cargo::Workspace;
use crate::workspace::select::{self, Selection};

/// Runs the test (or the mix) the command line names; returns the run's exit code.
pub fn dispatch(cli: &Cli) -> Result<u8> {
    // Without a profile, every setting is checked before cargo runs; a profile is found in the
    // test's package, so its settings are checked once cargo has said where that is (still
    // before anything is built).
    let early = match cli.profile {
        None => Some(settings::resolve(&cli.plan, &cli.outputs, None)?),
        Some(_) => None,
    };
    loadcase::__private::runner::worker_threads().map_err(|message| anyhow!(message))?;
    let selection = Selection::parse(&cli.tests);
    let workspace = Workspace::load(&cli.cargo, cli.quiet)?;
    let tests =
        selection.map_err(|error| select::with_full_names(error, &cli.tests, &workspace))?;
    let targets = workspace.targets();
    let path = tests.first();
    let candidates = select::find_targets(path, &targets)?;
    let Settings {
        mut plan,
        mut outputs,
    } = match early {
        Some(settings) => settings,
        None => with_profile(cli, &candidates[0].package_dir, workspace.root())?,
    };
    let binaries = workspace.build(&candidates)?;
    let picked = tests.pick(&binaries)?;
    let (binary, display_name) = (picked.binary, picked.display_name.as_str());
    // The tests' own thresholds come first, as they are part of them.
    picked.add_thresholds(&mut outputs.thresholds)?;
    plan.mix = tests.plan_mix();
    let tracking = Tracking::start(&cli.history, workspace.root(), display_name)?;
    let mut display = Display::new(cli.quiet, display_name, &plan);
    let ending = supervise::run(binary, path.name, display_name, &plan, &mut display);
    display.finish();
    match ending? {
        Ending::Done(mut report) => {
            let (verdicts, code) = finish::complete(&mut report, &outputs);
            Ok(tracking.finish(&report, code, &verdicts))
        }
        Ending::Crashed {
            status,
            last,
            progress,
        } => {
            let cause = status::describe(status);
            let what = if status.success() { "ended" } else { "crashed" };
            eprintln!(
                "{} the test binary of `{display_name}` {what}: it {cause} before reporting its results (its own output, if any, is above)",
                style("error:").red().bold()
            );
            let mut report = finish::reported(last, progress, &plan, display_name);
            report.stop_reason = Some(format!("the test binary {what}: it {cause}"));
            finish::incomplete(&report, &format!("it {cause}"), &outputs);
            // Not recorded: a crash says more about the test than about the system under load.
            Ok(exit::USAGE)
        }
        Ending::Killed { last, progress } => {
            eprintln!(
                "{} killed the test binary on the second Ctrl-C",
                style("interrupted:").yellow().bold()
            );
            let report = finish::reported(last, progress, &plan, display_name);
            let (verdicts, code) =
                finish::incomplete(&report, "it was killed on the second Ctrl-C", &outputs);
            // Recorded, marked interrupted: a run cut short is still a run that was made.
            Ok(tracking.finish(&report, code, &verdicts))
        }
    }
}

/// The settings over `--profile NAME` of the first `loadcase.toml` in the test's package or the
/// workspace root.
fn with_profile(cli: &Cli, package: &Path, root: &Path) -> Result<Settings> {
    let Some(name) = &cli.profile else {
        return settings::resolve(&cli.plan, &cli.outputs, None);
    };
    let file = profile::find(&[package, root]).ok_or_else(|| {
        anyhow!(
            "--profile {name}: no {} in {} or {}; create one with a [profile.{name}] table",
            profile::FILE,
            package.display(),
            root.display()
        )
    })?;
    settings::resolve(&cli.plan, &cli.outputs, Some(&profile::load(&file, name)?))
}
