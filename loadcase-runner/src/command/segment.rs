//! The end of a segment's run: its summary as a run's, what share it ran and where its verdict
//! is made (the merge), its reports with what the merge needs, and a segment's exit code.

use console::style;
use loadcase::Report;

use super::finish::{self, Finished};
use crate::exit;
use crate::settings::Outputs;
use crate::text::{segments, summary};

/// Prints and saves a segment's finished (or interrupted) run.
pub fn complete(report: &Report, outputs: &Outputs) -> Finished {
    let thresholds = outputs
        .segment_run
        .as_ref()
        .map(|run| run.thresholds.clone())
        .unwrap_or_default();
    let mut text = summary::render(report, &[]);
    text.push_str(&segments::segment_notes(report, &thresholds));
    print!("{text}");
    let code = exit::for_segment(report);
    if code == exit::MISSED_START {
        eprintln!(
            "{} {}",
            style("error:").red().bold(),
            report
                .stop_reason
                .as_deref()
                .unwrap_or("this segment missed --start-at")
        );
    }
    let code = finish::save(report, &[], &text, outputs, code);
    Finished {
        verdicts: Vec::new(),
        code,
        summary: console::strip_ansi_codes(&text).into_owned(),
    }
}
