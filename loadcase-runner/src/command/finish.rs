//! After a run: thresholds checked, the summary printed, the reports written, the exit code.

use console::style;
use loadcase::Progress;
use loadcase::Report;
use loadcase::report::Verdict;

use crate::reports::segment::Extra;
use crate::settings::Outputs;
use crate::text::summary;
use crate::verdict::verdicts;
use crate::{exit, reports};

/// A finished (or interrupted) run: prints and saves it; returns its verdicts and exit code.
pub fn complete(report: &Report, outputs: &Outputs) -> (Vec<Verdict>, u8) {
    let verdicts = verdicts(report, &outputs.thresholds);
    let summary = summary::render(report, &verdicts);
    print!("{summary}");
    let code = exit::for_run(report, &verdicts);
    let code = save(report, &verdicts, &summary, outputs, code);
    (verdicts, code)
}

/// Writes the reports; a report that cannot be written turns a run's exit code into 2, since
/// what the user asked for is missing.
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
    match reports::write_all(&outputs.reports, report, verdicts, &plain, &extra) {
        Ok(()) => code,
        Err(e) => {
            eprintln!("{} {e:#}", style("error:").red().bold());
            if code == exit::INTERRUPTED {
                code
            } else {
                exit::USAGE
            }
        }
    }
}

/// Prints and saves what a binary that ended without its final report had sent.
pub fn partial(last: Option<Report>, progress: Option<Progress>, outputs: &Outputs) {
    match (last, progress) {
        (Some(mut report), _) => {
            eprintln!("what it had reported (its last snapshot, up to a second old):\n");
            // Whatever the snapshot says, this run did not complete.
            report.interrupted = true;
            // A segment's thresholds are the merge's to judge.
            let verdicts = match outputs.segment_run {
                Some(_) => Vec::new(),
                None => verdicts(&report, &outputs.thresholds),
            };
            let summary = summary::render(&report, &verdicts);
            print!("{summary}");
            // On stdout too, so that a saved summary cannot pass for a complete run.
            println!(
                "\nIncomplete: the test binary ended without its final report; these figures are its last snapshot, up to a second old, and the server may have received more."
            );
            save(&report, &verdicts, &summary, outputs, exit::USAGE);
        }
        (None, Some(p)) => eprintln!(
            "it had reported {} hits: {} successes, {} errors, {} failures",
            p.hits, p.success, p.errors, p.failures
        ),
        (None, None) => eprintln!("it reported nothing before it ended"),
    }
}
