//! `cargo loadrun TEST…`: the load test run in its test binary. Everything that can be checked
//! without cargo is checked before any build starts; then the target is built (or taken from an
//! `--artifact` directory), the test found, the binary supervised, and the run finished, compared
//! and recorded. A segment of a split run (`--segment`, `--segments`) runs its share, keeps its
//! JSON reports up to date while it runs, and leaves the verdict and the history to the merge.

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use console::style;

use super::{finish, segment};
use crate::artifact::Artifact;
use crate::child::status;
use crate::child::supervise::{self, Ending, Seen};
use crate::cli::Cli;
use crate::cli::outputs::OutputOptions;
use crate::exit;
use crate::history::tracking::Tracking;
use crate::live::{End, Live, run_dir};
use crate::progress::Display;
use crate::reports::segment::SegmentRun;
use crate::settings::segment::{self as split, Distributed};
use crate::settings::{self, Settings, profile};
use crate::text::segments;
use crate::workspace::cargo::{TestBinary, Workspace};
use crate::workspace::select::{self, Selection};

/// Where the test binary comes from: a cargo build, or a directory `cargo loadrun build` made.
enum Source {
    Workspace(Workspace),
    Artifact(Artifact),
}

/// Runs the test (or the mix) the command line names; returns the run's exit code.
pub fn dispatch(cli: &Cli) -> Result<u8> {
    let distributed = split::resolve(&cli.distributed, &|name| std::env::var(name).ok())?;
    if distributed.segmented()
        && let Some(baseline) = &cli.history.compare
    {
        bail!(
            "--compare {baseline}: a segment is one share of a run, and its figures compare with nothing; \
             compare the merged run: cargo loadrun merge DIR --compare {baseline}"
        );
    }
    let outputs_given = expanded(&cli.outputs, &distributed);
    // Without a profile, every setting is checked before cargo runs; a profile is found in the
    // test's package, so its settings are checked once cargo has said where that is (still
    // before anything is built).
    let early = match cli.profile {
        None => Some(settings::resolve(
            &cli.plan,
            &outputs_given,
            &cli.live,
            None,
        )?),
        Some(_) => None,
    };
    loadcase::__private::runner::worker_threads().map_err(|message| anyhow!(message))?;
    let source = match &cli.distributed.artifact {
        Some(dir) => Source::Artifact(Artifact::open(dir)?),
        None => Source::Workspace(Workspace::load(&cli.cargo, cli.quiet)?),
    };
    let texts: &[String] = match (&source, cli.tests.is_empty()) {
        (Source::Artifact(artifact), true) => &artifact.manifest.tests,
        _ => &cli.tests,
    };
    let selection = Selection::parse(texts);
    let tests = match &source {
        Source::Workspace(workspace) => {
            selection.map_err(|error| select::with_full_names(error, texts, workspace))?
        }
        Source::Artifact(artifact) => {
            let tests = selection?;
            for entry in &tests.entries {
                artifact.check_target(entry.path.target)?;
            }
            tests
        }
    };
    let path = tests.first();
    let (candidates, profile_dirs) = match &source {
        Source::Workspace(workspace) => {
            let targets = workspace.targets();
            let candidates: Vec<_> = select::find_targets(path, &targets)?
                .into_iter()
                .cloned()
                .collect();
            let dirs = vec![
                candidates[0].package_dir.clone(),
                workspace.root().to_owned(),
            ];
            (candidates, dirs)
        }
        Source::Artifact(artifact) => (Vec::new(), vec![artifact.dir.clone()]),
    };
    let Settings {
        mut plan,
        mut outputs,
    } = match early {
        Some(settings) => settings,
        None => with_profile(cli, &outputs_given, &profile_dirs)?,
    };
    plan.mix = tests.plan_mix();
    if cli.distributed.dry_run {
        return dry_run(&plan, &distributed);
    }
    let plan = distributed.apply(plan)?;
    for report in &mut outputs.reports {
        *report = distributed.expand(report);
    }
    let binaries: Vec<TestBinary> = match &source {
        Source::Workspace(workspace) => {
            let refs: Vec<_> = candidates.iter().collect();
            workspace.build(&refs)?
        }
        Source::Artifact(artifact) => vec![artifact.binary()],
    };
    let picked = tests.pick(&binaries)?;
    let (binary, display_name) = (picked.binary, picked.display_name.as_str());
    // The tests' own thresholds come first, as they are part of them.
    picked.add_thresholds(&mut outputs.thresholds)?;
    let tracking = tracking(cli, &source, &distributed, display_name)?;
    if distributed.segmented() {
        outputs.segment_run = Some(SegmentRun::new(&outputs.thresholds));
        announce(&distributed, &plan, &outputs.reports);
    }
    let runs = match &source {
        Source::Workspace(workspace) => run_dir::runs_dir(Some(workspace.root())),
        Source::Artifact(_) => run_dir::runs_dir(None),
    };
    let mut live = Live::start(&runs, display_name, &plan, &outputs);
    let mut display = Display::new(cli.quiet || crate::live::detached(), display_name, &plan);
    let ending = supervise::run(
        binary,
        path.name,
        display_name,
        &plan,
        &mut display,
        &mut |seen| match seen {
            Seen::Progress(progress) => live.progress(progress),
            Seen::Snapshot(report, progress) => live.snapshot(report, progress),
        },
    );
    display.finish();
    let ending = match ending {
        Ok(ending) => ending,
        Err(error) => {
            live.abandon(&format!("{error:#}"), exit::of_error(&error));
            return Err(error);
        }
    };
    let (report, finished, crashed) = match ending {
        Ending::Done(report) if outputs.segment_run.is_some() => {
            let finished = segment::complete(&report, &outputs);
            (report, finished, false)
        }
        Ending::Done(mut report) => {
            let finished = finish::complete(&mut report, &outputs);
            (report, finished, false)
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
            let mut finished = finish::incomplete(&report, &format!("it {cause}"), &outputs);
            finished.code = exit::USAGE;
            (report, finished, true)
        }
        Ending::Killed { last, progress } => {
            eprintln!(
                "{} killed the test binary on the second Ctrl-C",
                style("interrupted:").yellow().bold()
            );
            let report = finish::reported(last, progress, &plan, display_name);
            let finished =
                finish::incomplete(&report, "it was killed on the second Ctrl-C", &outputs);
            (report, finished, false)
        }
    };
    let code = match tracking {
        // A segment's run is the merge's to record, and a crash says more about the test than
        // about the system under load; a run cut short by a second Ctrl-C is still recorded,
        // marked interrupted.
        Some(tracking) if outputs.segment_run.is_none() && !crashed => {
            tracking.finish(&report, finished.code, &finished.verdicts)
        }
        _ => finished.code,
    };
    live.finish(&End {
        report: &report,
        verdicts: &finished.verdicts,
        code,
        crashed,
        summary: &finished.summary,
    });
    Ok(code)
}

/// The output options with `{segment}` in their paths replaced by this process's K.
fn expanded(outputs: &OutputOptions, distributed: &Distributed) -> OutputOptions {
    let mut outputs = outputs.clone();
    for report in &mut outputs.reports {
        *report = distributed.expand(report);
    }
    outputs.log_requests = outputs.log_requests.map(|p| distributed.expand(&p));
    outputs
}

/// `--dry-run`: every segment's share of the plan, and nothing run.
fn dry_run(plan: &loadcase::Plan, distributed: &Distributed) -> Result<u8> {
    // Checked as the run would check it: the open model refuses to split too few users.
    distributed.apply(plan.clone())?;
    print!(
        "{}",
        segments::shares(
            plan,
            distributed.segment.count,
            distributed.segmented().then_some(distributed.segment),
            distributed.run_id.as_deref(),
            distributed.start_at_unix_ms,
        )
    );
    Ok(exit::SUCCESS)
}

/// Which share this process runs and when it starts, before it is built and connected.
fn announce(distributed: &Distributed, plan: &loadcase::Plan, reports: &[std::path::PathBuf]) {
    let from = match distributed.from {
        "--segment" => String::new(),
        var => format!(" (from {var})"),
    };
    eprintln!(
        "segment {}{from}: {}",
        distributed.segment,
        plan.share_text(distributed.segment)
    );
    let json = |p: &&std::path::PathBuf| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    };
    if !reports.iter().any(|p| json(&p)) {
        eprintln!(
            "{} no JSON --report: `cargo loadrun merge` will have nothing of this segment; give --report DIR/seg-{{segment}}.json",
            style("note:").cyan().bold()
        );
    }
    if let Some(at) = distributed.start_at_unix_ms {
        eprintln!(
            "starting at {} (--start-at), once the test binary is ready",
            crate::text::format::local_time(at as i64)
        );
    }
}

/// The history and comparison of this run. A segment records nothing (its merge records the
/// run); a run from an artifact has no workspace to keep a history in, so it records only into
/// `--history PATH`, as quick mode does.
fn tracking(
    cli: &Cli,
    source: &Source,
    distributed: &Distributed,
    name: &str,
) -> Result<Option<Tracking>> {
    let options = &cli.history;
    match source {
        _ if distributed.segmented() => Ok(None),
        Source::Workspace(workspace) => Ok(Some(Tracking::start(options, workspace.root(), name)?)),
        Source::Artifact(artifact) => {
            Tracking::without_workspace(options, &artifact.dir, name, "a run from --artifact")
        }
    }
}

/// The settings over `--profile NAME` of the first `loadcase.toml` in `dirs` (the test's package
/// and the workspace root, or the artifact's directory).
fn with_profile(
    cli: &Cli,
    outputs: &OutputOptions,
    dirs: &[std::path::PathBuf],
) -> Result<Settings> {
    let Some(name) = &cli.profile else {
        return settings::resolve(&cli.plan, outputs, &cli.live, None);
    };
    let dirs: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
    let file = profile::find(&dirs).ok_or_else(|| {
        let places: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        anyhow!(
            "--profile {name}: no {} in {}; create one with a [profile.{name}] table",
            profile::FILE,
            places.join(" or ")
        )
    })?;
    settings::resolve(
        &cli.plan,
        outputs,
        &cli.live,
        Some(&profile::load(&file, name)?),
    )
}
