//! `cargo loadrun merge DIR|FILE… [--expect N]`: the JSON reports of a split run's segments made
//! into the one run they are parts of — counts and histograms added, so its percentiles are
//! exact — printed as one run's summary, judged on the merged figures only, saved in any report
//! format and recorded once in the history. Reports of other runs or plans are refused; a segment
//! that is missing or did not finish makes the merge partial, named with its share, exit 6.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, Result, anyhow, bail};
use console::style;
use loadcase::Report;
use loadcase::report::{self as threshold, Merged, merge_segments};

use crate::cli::merge::MergeArgs;
use crate::exit;
use crate::history::tracking::Tracking;
use crate::live::{End, notify};
use crate::reports::{self, segment::Extra, segment::ExtraRead, segment::MergeInfo};
use crate::settings::live;
use crate::text::segments::{self, SegmentSeen};
use crate::text::summary;
use crate::verdict::{Thresholds, verdicts};
use crate::workspace::cargo::workspace_root;

/// A live report left unchanged this long is of a segment that died: `--wait` stops waiting
/// for it. Far above the segments' rewrite interval, so that a busy node is not taken for dead.
const STALE: Duration = Duration::from_secs(30);

/// One segment's report, read.
struct Loaded {
    file: String,
    report: Report,
    extra: ExtraRead,
    /// When the file last changed, and its length: a live report that keeps them has stopped.
    stamp: (Option<SystemTime>, u64),
}

/// Merges, prints, judges, saves and records; returns the exit code.
pub fn dispatch(args: &MergeArgs) -> Result<u8> {
    if args.expect == Some(0) {
        bail!(
            "--expect 0: a run has at least one segment; give the number of segments, e.g. --expect 5"
        );
    }
    let wait = args
        .wait
        .as_deref()
        .map(|text| {
            loadcase::plan::parse_duration(text).map_err(|_| {
                anyhow!("--wait: `{text}` is not a duration above zero; write e.g. --wait 10m, 30s or 1h")
            })
        })
        .transpose()?;
    let extra_thresholds =
        threshold::parse_thresholds(&args.thresholds).map_err(|e| anyhow!("--threshold: {e}"))?;
    reports::check(&args.reports, "--report")?;
    let notify = live::notify_urls(&args.notify)?;
    let loaded = match wait {
        Some(wait) => wait_for(&args.inputs, args.expect, wait)?,
        None => load(&args.inputs, false, false)?,
    };
    if loaded.is_empty() {
        bail!(
            "no segment reports in {}: give the JSON reports the segments wrote (--report seg-{{segment}}.json), or the directory they are in",
            shown(&args.inputs)
        );
    }
    let mut thresholds = Thresholds {
        run: Vec::new(),
        by_test: Vec::new(),
    };
    for one in &loaded {
        add_thresholds(&mut thresholds, one)?;
    }
    thresholds.run.extend(extra_thresholds);
    let seen: Vec<SegmentSeen> = loaded
        .iter()
        .map(|l| SegmentSeen::of(&l.file, &l.report))
        .collect();
    let merged = merge_segments(
        loaded.into_iter().map(|l| (l.file, l.report)).collect(),
        args.expect,
    )
    .map_err(|e| anyhow!(e))?;
    let info = MergeInfo::of(&merged);
    let mut report = merged.report.clone();
    if merged.is_partial() {
        report.interrupted = true;
        report.stop_reason = Some(partial_reason(&merged));
    }
    let name = run_name(&report);
    let tracking = tracking(args, &name)?;
    let verdicts = verdicts(&report, &thresholds);
    let mut text = summary::render(&report, &verdicts);
    text.push_str(&segments::merge_block(&merged, &seen));
    print!("{text}");
    if merged.is_partial() {
        eprintln!(
            "{} a partial merge: {}",
            style("warning:").yellow().bold(),
            report.stop_reason.as_deref().unwrap_or_default()
        );
    }
    let mut code = exit::for_merge(&report, &verdicts, merged.is_partial());
    let extra = Extra {
        segment_run: None,
        merge: Some(&info),
    };
    let plain = console::strip_ansi_codes(&text);
    if let Err(error) = reports::write_all(&args.reports, &report, &verdicts, &plain, &extra) {
        eprintln!("{} {error:#}", style("error:").red().bold());
        code = exit::USAGE;
    }
    let code = match tracking {
        Some(tracking) => tracking.finish(&report, code, &verdicts),
        None => code,
    };
    let told = notify::tell(
        &notify,
        &End {
            report: &report,
            verdicts: &verdicts,
            code,
            crashed: false,
            summary: &plain,
        },
    );
    if let Some(line) = told {
        println!("\n{line}");
    }
    Ok(code)
}

fn shown(inputs: &[PathBuf]) -> String {
    let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

/// Every report the inputs name: a file as it is, a directory's JSON reports of segments (other
/// JSON files there, such as a merged report, are passed over; one that cannot be read is said
/// so, and its segment is then missing from the merge).
fn load(inputs: &[PathBuf], quiet: bool, waiting: bool) -> Result<Vec<Loaded>> {
    let mut loaded = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(input)
                .with_context(|| format!("cannot read the directory {}", input.display()))?
                .filter_map(|entry| Some(entry.ok()?.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "json") && p.is_file())
                .collect();
            files.sort();
            for file in files {
                match read(&file) {
                    Ok(one) if one.extra.segment_run.is_some() => loaded.push(one),
                    Ok(_) => {}
                    Err(error) if !quiet => {
                        eprintln!("{} passed over {error:#}", style("note:").cyan().bold())
                    }
                    Err(_) => {}
                }
            }
        } else if input.exists() {
            loaded.push(read(input)?);
        } else if waiting {
            // `--wait` started before any segment made the directory, or wrote the file.
        } else {
            bail!(
                "{}: no such file or directory; give the segments' JSON reports or the directory they are in",
                input.display()
            );
        }
    }
    Ok(loaded)
}

fn read(file: &Path) -> Result<Loaded> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {name}"))?;
    let report: Report = serde_json::from_str(&text).with_context(|| {
        format!("{name} is not a JSON report of cargo loadrun (written by --report FILE.json)")
    })?;
    let extra: ExtraRead = serde_json::from_str(&text).unwrap_or_default();
    let metadata = std::fs::metadata(file).ok();
    Ok(Loaded {
        file: name,
        report,
        extra,
        stamp: (
            metadata.as_ref().and_then(|m| m.modified().ok()),
            metadata.map_or(0, |m| m.len()),
        ),
    })
}

/// `--wait`: until every segment has its final report, a segment whose report stopped changing
/// while it ran counting as ended; at the latest until `wait` has passed. What is there then is
/// merged, partial if it must be.
fn wait_for(inputs: &[PathBuf], expect: Option<u32>, wait: Duration) -> Result<Vec<Loaded>> {
    let deadline = Instant::now() + wait;
    let mut unchanged: Vec<(String, (Option<SystemTime>, u64), Instant)> = Vec::new();
    let mut told = Instant::now();
    let mut first = true;
    loop {
        // Said once: the same file is read again every turn.
        let loaded = load(inputs, !first, true)?;
        first = false;
        let count = expect.or_else(|| {
            loaded
                .first()
                .and_then(|l| l.report.plan.as_ref())
                .map(|p| p.segment.count)
        });
        let now = Instant::now();
        let mut waiting = Vec::new();
        for k in 1..=count.unwrap_or(1) {
            let mine = loaded
                .iter()
                .find(|l| l.report.plan.as_ref().map(|p| p.segment.index) == Some(k));
            let Some(one) = mine else {
                waiting.push(format!("{k}: no report yet"));
                continue;
            };
            let live = one.extra.segment_run.as_ref().is_some_and(|r| r.live);
            if !live {
                continue;
            }
            let since = match unchanged.iter_mut().find(|(file, _, _)| *file == one.file) {
                Some((_, stamp, since)) if *stamp == one.stamp => *since,
                Some(entry) => {
                    entry.1 = one.stamp;
                    entry.2 = now;
                    now
                }
                None => {
                    unchanged.push((one.file.clone(), one.stamp, now));
                    now
                }
            };
            if now.duration_since(since) < STALE {
                waiting.push(format!("{k}: running"));
            }
        }
        if count.is_some() && waiting.is_empty() {
            return Ok(loaded);
        }
        if now >= deadline {
            eprintln!(
                "{} --wait ran out with segments still to come ({}); merging what is there",
                style("warning:").yellow().bold(),
                waiting.join(", ")
            );
            return Ok(loaded);
        }
        if told.elapsed() >= Duration::from_secs(10) {
            told = Instant::now();
            eprintln!("waiting for segments: {}", waiting.join(", "));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A segment's thresholds, once each: every segment of a run carries the same.
fn add_thresholds(thresholds: &mut Thresholds, one: &Loaded) -> Result<()> {
    let Some(run) = &one.extra.segment_run else {
        // A report of a whole run, or of an older runner: its test's own thresholds.
        return add(&mut thresholds.run, &one.report.thresholds, &one.file);
    };
    add(&mut thresholds.run, &run.thresholds, &one.file)?;
    for (test, own) in &run.test_thresholds {
        let index = match thresholds.by_test.iter().position(|(t, _)| t == test) {
            Some(index) => index,
            None => {
                thresholds.by_test.push((test.clone(), Vec::new()));
                thresholds.by_test.len() - 1
            }
        };
        add(&mut thresholds.by_test[index].1, own, &one.file)?;
    }
    Ok(())
}

fn add(list: &mut Vec<threshold::Threshold>, texts: &[String], file: &str) -> Result<()> {
    for parsed in threshold::parse_thresholds(texts).map_err(|e| anyhow!("{file}: {e}"))? {
        if !list.iter().any(|t| t.to_string() == parsed.to_string()) {
            list.push(parsed);
        }
    }
    Ok(())
}

/// What the summary and every report say of a partial merge.
fn partial_reason(merged: &Merged) -> String {
    let mut parts: Vec<String> = merged
        .missing
        .iter()
        .map(|m| format!("segment {} missing (it held {})", m.segment, m.share))
        .collect();
    parts.extend(
        merged
            .incomplete
            .iter()
            .map(|m| format!("segment {} did not finish (it held {})", m.segment, m.share)),
    );
    let mut reason = format!(
        "partial merge of {} of {} segments: {}",
        merged.present.len() - merged.incomplete.len(),
        merged.segments,
        parts.join("; ")
    );
    if let Some(theirs) = &merged.report.stop_reason {
        reason.push_str(&format!("; {theirs}"));
    }
    reason
}

/// The run's name in the history, as a single run of the same tests records it: the test, or
/// each test of a mix with its weight.
fn run_name(report: &Report) -> String {
    let mix = report
        .plan
        .as_ref()
        .map(|p| p.mix.as_slice())
        .unwrap_or_default();
    let tests: Vec<&str> = report.test.split(" + ").collect();
    if mix.len() < 2 || mix.len() != tests.len() {
        return report.test.clone();
    }
    tests
        .iter()
        .zip(mix)
        .map(|(test, (_, weight))| format!("{test}:{weight}"))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The history of the workspace the merge runs in, if it runs in one; elsewhere (a cluster
/// node) only `--history PATH`.
fn tracking(args: &MergeArgs, name: &str) -> Result<Option<Tracking>> {
    match workspace_root(None) {
        Ok(root) => Ok(Some(Tracking::start(&args.history, &root, name)?)),
        Err(_) => {
            let dir = std::env::current_dir().context("cannot read the current directory")?;
            Tracking::without_workspace(
                &args.history,
                &dir,
                name,
                "a merge outside a cargo workspace",
            )
        }
    }
}
