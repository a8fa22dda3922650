//! The reports of a plan's segments merged into the report of the whole run: only reports of one
//! run and one plan, each segment once, the missing ones named with the share of the plan they
//! held. Counts and histograms add up, so the merged percentiles are exact.

use std::collections::BTreeMap;

use crate::plan::segment::Segment;
use crate::report::model::Report;

/// The whole run, from the reports of its segments.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The merged report: what one machine would have reported for the whole plan, from the
    /// segments that reported.
    pub report: Report,
    /// How many segments the plan was split into.
    pub segments: u32,
    /// The segments that reported, from 1.
    pub present: Vec<u32>,
    /// Those that did not, each with the share of the plan it held.
    pub missing: Vec<SegmentShare>,
    /// Those that reported but did not run their share to its end (killed, interrupted, a crash
    /// of their test binary, late to start), each with the share of the plan it held.
    pub incomplete: Vec<SegmentShare>,
}

impl Merged {
    /// Whether some of the plan is not in the merge.
    pub fn is_partial(&self) -> bool {
        !self.missing.is_empty() || !self.incomplete.is_empty()
    }
}

/// A segment of a merge, with what of the plan it held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentShare {
    /// The segment.
    pub segment: Segment,
    /// What of the plan it held, e.g. `7 of 20 users of each stage`.
    pub share: String,
}

/// Why reports cannot be merged into one run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no report to merge; give the segments' JSON reports or the directory they are in")]
    Empty,
    /// A report of another run.
    #[error(
        "{other} is of run `{other_run}`, {first} of run `{run}`; merge the reports of one run (the same --run-id)"
    )]
    OtherRun {
        /// Where the first report came from.
        first: String,
        /// Its run id.
        run: String,
        /// Where the other came from.
        other: String,
        /// Its run id.
        other_run: String,
    },
    /// A report of another plan or test.
    #[error(
        "{other} ran another plan or test than {first} (`{other_plan}` against `{plan}`); the segments of one run run the same"
    )]
    OtherPlan {
        /// Where the first report came from.
        first: String,
        /// Its plan, as options.
        plan: String,
        /// Where the other came from.
        other: String,
        /// Its plan.
        other_plan: String,
    },
    /// Reports of one segment twice, or of splits into different numbers of segments.
    #[error("{other}: {problem}")]
    Segments {
        /// Where the report came from.
        other: String,
        /// What is wrong.
        problem: String,
    },
}

/// Merges the reports of one run's segments (each named by where it came from, for messages),
/// expecting `expect` segments when given (else the count their plans say).
pub fn merge_segments(
    reports: Vec<(String, Report)>,
    expect: Option<u32>,
) -> Result<Merged, MergeError> {
    let mut reports = reports.into_iter();
    let (first_name, first) = reports.next().ok_or(MergeError::Empty)?;
    let segment_of = |report: &Report| report.plan.as_ref().map_or(Segment::WHOLE, |p| p.segment);
    let count = expect.unwrap_or(segment_of(&first).count);
    let mut by_segment: BTreeMap<u32, String> = BTreeMap::new();
    let mut incomplete = Vec::new();
    let mut merged: Option<Report> = None;
    for (name, report) in std::iter::once((first_name.clone(), first.clone())).chain(reports) {
        if report.run_id != first.run_id {
            return Err(MergeError::OtherRun {
                first: first_name,
                run: first.run_id.clone().unwrap_or_default(),
                other: name,
                other_run: report.run_id.clone().unwrap_or_default(),
            });
        }
        if report.plan_digest != first.plan_digest || report.test != first.test {
            let options = |r: &Report| r.plan.as_ref().map_or_else(String::new, |p| p.options());
            return Err(MergeError::OtherPlan {
                first: first_name,
                plan: format!("{} {}", first.test, options(&first)),
                other: name,
                other_plan: format!("{} {}", report.test, options(&report)),
            });
        }
        let segment = segment_of(&report);
        if segment.count != count {
            return Err(MergeError::Segments {
                other: name,
                problem: format!(
                    "segment {segment} of a run split into {}, not {count}",
                    segment.count
                ),
            });
        }
        if let Some(earlier) = by_segment.insert(segment.index, name.clone()) {
            return Err(MergeError::Segments {
                other: name,
                problem: format!("segment {segment} again (also in {earlier}); give each once"),
            });
        }
        // Stopped by the test itself (a unique dataset out of rows) is an end of its own, judged
        // as a single run would be; stopped from outside or cut short is not.
        if (report.interrupted && report.stop_reason.is_none()) || report.missed_start {
            incomplete.push(segment);
        }
        match &mut merged {
            None => merged = Some(report),
            Some(merged) => merged.merge(&report),
        }
    }
    let mut report = merged.expect("at least the first report");
    let plan = report.plan.as_mut().map(|plan| {
        plan.segment = Segment::WHOLE;
        plan.clone()
    });
    let share_of = |segment: Segment| SegmentShare {
        segment,
        share: plan.as_ref().map_or_else(
            || format!("1/{count} of the plan"),
            |p| p.share_text(segment),
        ),
    };
    let missing = (1..=count)
        .filter(|k| !by_segment.contains_key(k))
        .map(|k| share_of(Segment::new(k, count).expect("1 ≤ k ≤ count")))
        .collect();
    let incomplete = incomplete.into_iter().map(share_of).collect();
    Ok(Merged {
        report,
        segments: count,
        present: by_segment.into_keys().collect(),
        missing,
        incomplete,
    })
}
