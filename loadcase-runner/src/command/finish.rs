//! After a run: thresholds checked, the summary printed, the reports written, the exit code —
//! for a run that ended with its final report, and for one whose test binary ended without it
//! (a crash, a kill), from what it had reported.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use console::style;
use loadcase::__private::runner::passwords_in;
use loadcase::report::{REPORT_SCHEMA, Verdict};
use loadcase::{Plan, Progress, Report};

use crate::exit;
use crate::reports::segment::Extra;
use crate::reports::{self, request_log};
use crate::settings::Outputs;
use crate::text::summary;
use crate::verdict::verdicts;

/// What finishing a run came to.
pub struct Finished {
    /// Its thresholds, judged.
    pub verdicts: Vec<Verdict>,
    /// Its exit code.
    pub code: u8,
    /// The summary as printed, without colours.
    pub summary: String,
}

/// A finished (or interrupted) run: prints and saves it; returns its verdicts and exit code.
pub fn complete(report: &mut Report, outputs: &Outputs) -> Finished {
    if report.request_log_error.is_some() {
        // Part of the batch that failed may have reached the file.
        recount_log(report);
    }
    let verdicts = verdicts(report, &outputs.thresholds);
    let summary = summary::render(report, &verdicts);
    print!("{summary}");
    let code = exit::for_run(report, &verdicts);
    let code = save(report, &verdicts, &summary, outputs, code);
    Finished {
        verdicts,
        code,
        summary: console::strip_ansi_codes(&summary).into_owned(),
    }
}

/// A run whose test binary ended without its final report: prints and saves what it had
/// reported, with `why` — how it ended — on stdout after the summary too, so that a saved
/// summary cannot pass for a complete run. Returns the verdicts and the exit code earned: the
/// report's own (130 when interrupted), or 2 when a report could not be written.
pub fn incomplete(report: &Report, why: &str, outputs: &Outputs) -> Finished {
    // A segment's thresholds are the merge's to judge.
    let verdicts = match outputs.segment_run {
        Some(_) => Vec::new(),
        None => verdicts(report, &outputs.thresholds),
    };
    let summary = summary::render(report, &verdicts);
    print!("{summary}");
    let incomplete = format!(
        "\nIncomplete: the test binary ended without its final report: {why}; these figures are what it had reported, up to a second old, and the server may have received more.\n"
    );
    print!("{incomplete}");
    let code = exit::for_run(report, &verdicts);
    let code = save(report, &verdicts, &summary, outputs, code);
    Finished {
        verdicts,
        code,
        summary: console::strip_ansi_codes(&summary).into_owned() + &incomplete,
    }
}

/// What a binary that ended without its final report had reported, marked interrupted: its
/// last snapshot, or, when it sent none, the plan with the hits its progress counted (none if
/// it sent nothing). The request log's entries are counted in the file, which holds what the
/// binary flushed after that snapshot too.
pub fn reported(
    last: Option<Report>,
    progress: Option<Progress>,
    plan: &Plan,
    test: &str,
) -> Report {
    let mut report = last.unwrap_or_else(|| unreported(plan, test, progress.as_ref()));
    report.interrupted = true;
    recount_log(&mut report);
    report
}

/// The request log's entries as its file holds them, where the count the binary reported falls
/// short: after a crash it had flushed more since its last report, and of a batch whose write
/// failed, part may be in the file.
fn recount_log(report: &mut Report) {
    let log = report.plan.as_ref().and_then(|plan| plan.log.as_ref());
    if let Some(entries) = log.and_then(|spec| request_log::entries(&spec.path).ok()) {
        report.logged_requests = Some(entries);
    }
}

/// A report of a run the binary sent no snapshot of.
fn unreported(plan: &Plan, test: &str, progress: Option<&Progress>) -> Report {
    let mut plan = plan.clone();
    plan.server_url = plan.server_url.map(|url| passwords_in(&url).into_owned());
    let elapsed = progress.map_or(0.0, |p| p.elapsed_secs);
    let started = SystemTime::now() - Duration::from_secs_f64(elapsed);
    let mut report = Report {
        schema: REPORT_SCHEMA,
        test: test.to_owned(),
        started_unix_ms: started
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64),
        elapsed_secs: elapsed,
        plan: Some(plan),
        ..Report::default()
    };
    if let Some(p) = progress {
        let hits = &mut report.stats.hits;
        (hits.success, hits.errors, hits.failures) = (p.success, p.errors, p.failures);
    }
    report
}

/// Writes the reports and says what the request log holds; a report or a request log that
/// could not be written turns a run's exit code into 2, since what the user asked for is
/// missing (an interrupted run keeps its 130).
pub(super) fn save(
    report: &Report,
    verdicts: &[Verdict],
    summary: &str,
    outputs: &Outputs,
    code: u8,
) -> u8 {
    let plain = console::strip_ansi_codes(summary);
    let extra = Extra {
        segment_run: outputs.segment_run.as_ref(),
        merge: None,
    };
    let mut complete = true;
    if let Err(e) = reports::write_all(&outputs.reports, report, verdicts, &plain, &extra) {
        eprintln!("{} {e:#}", style("error:").red().bold());
        complete = false;
    }
    let log = report.plan.as_ref().and_then(|plan| plan.log.as_ref());
    match (&report.request_log_error, report.logged_requests, log) {
        (Some(error), entries, _) => {
            let holds = entries.map_or_else(String::new, |n| {
                format!(
                    "; it holds the first {n} request{}",
                    if n == 1 { "" } else { "s" }
                )
            });
            eprintln!(
                "{} --log-requests: the request log is incomplete: {error}{holds}; free some space there, or log to another place",
                style("error:").red().bold()
            );
            complete = false;
        }
        (None, Some(entries), Some(spec)) => {
            let plural = if entries == 1 { "" } else { "s" };
            eprintln!(
                "request log: {entries} request{plural} written to {}",
                spec.path.display()
            );
        }
        _ => {}
    }
    if complete || code == exit::INTERRUPTED {
        code
    } else {
        exit::USAGE
    }
}
