//! What a split run says in words: each segment's share before a run (`--dry-run`), what one
//! segment tells after its run, and the segments a merge was made of, with their start skew.

use std::fmt::Write;

use loadcase::plan::Segment;
use loadcase::report::Merged;
use loadcase::{Plan, Report};

use crate::text::format::{local_time, seconds};

/// Each of `count` segments' share of `plan` (the whole plan, unsplit), the process's own marked:
/// what `--dry-run` prints.
pub fn shares(
    plan: &Plan,
    count: u32,
    this: Option<Segment>,
    run_id: Option<&str>,
    start_at_unix_ms: Option<u64>,
) -> String {
    let mut out = String::new();
    let hits = plan
        .total_hits()
        .map(|h| format!(" ({h} hits)"))
        .unwrap_or_default();
    let run = run_id.map(|id| format!(", run `{id}`")).unwrap_or_default();
    let _ = writeln!(
        out,
        "Plan: {}{hits}, in {count} segment{}{run}",
        plan.options(),
        if count == 1 { "" } else { "s" }
    );
    let width = format!("{count}/{count}").len();
    for k in 1..=count {
        let segment = Segment::new(k, count).expect("1 ≤ k ≤ count");
        let mark = if Some(segment) == this {
            "   ← this process"
        } else {
            ""
        };
        let label = segment.to_string();
        let _ = writeln!(
            out,
            "  segment {label:<width$}  {}{mark}",
            plan.share_text(segment)
        );
    }
    if let Some(at) = start_at_unix_ms {
        let _ = writeln!(
            out,
            "Start: {} (--start-at); a segment ready more than {}s later runs nothing and exits 5",
            local_time(at as i64),
            loadcase::plan::START_GRACE.as_secs()
        );
    }
    let _ = writeln!(out, "Nothing was run (--dry-run).");
    out
}

/// After a segment's run: which share it ran, that its thresholds are the merge's to judge, and
/// how it started.
pub fn segment_notes(report: &Report, thresholds: &[String]) -> String {
    let mut out = String::new();
    let Some(plan) = &report.plan else {
        return out;
    };
    let segment = plan.segment;
    let _ = writeln!(
        out,
        "\nSegment {segment}{}: {}.",
        of_run(report),
        plan.share_text(segment)
    );
    if report.missed_start {
        let _ = writeln!(
            out,
            "It missed the start and ran nothing; `cargo loadrun merge` names it among the segments that did not finish."
        );
    } else if let Some(late) = report.start_skew_secs {
        let _ = writeln!(out, "Started {}s after --start-at.", seconds(late));
    }
    let judged = if thresholds.is_empty() {
        String::new()
    } else {
        format!(
            ", which judges the thresholds on the merged figures: {}",
            thresholds.join(", ")
        )
    };
    let _ = writeln!(
        out,
        "Its figures are one share of the run: merge the segments' JSON reports with `cargo loadrun merge DIR`{judged}."
    );
    out
}

/// ` of run `ID`` when the report has a run id.
fn of_run(report: &Report) -> String {
    report
        .run_id
        .as_deref()
        .map(|id| format!(" of run `{id}`"))
        .unwrap_or_default()
}

/// One segment's report as a merge saw it, kept before the reports are merged.
#[derive(Clone, Debug)]
pub struct SegmentSeen {
    /// Which segment.
    pub segment: Segment,
    /// The file it came from.
    pub file: String,
    /// Hits it completed.
    pub hits: u64,
    /// When its load started.
    pub started_unix_ms: u64,
    /// How late after `--start-at`, if one was given.
    pub late_secs: Option<f64>,
}

impl SegmentSeen {
    /// What `report`, read from `file`, says of its segment.
    pub fn of(file: &str, report: &Report) -> SegmentSeen {
        SegmentSeen {
            segment: report.plan.as_ref().map_or(Segment::WHOLE, |p| p.segment),
            file: file.to_owned(),
            hits: report.stats.hits.total(),
            started_unix_ms: report.started_unix_ms,
            late_secs: report.start_skew_secs,
        }
    }
}

/// The segments of a merge, one a line, then how far apart they started.
pub fn merge_block(merged: &Merged, seen: &[SegmentSeen]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nSegments{}: {} of {} merged{}",
        of_run(&merged.report),
        merged.present.len(),
        merged.segments,
        if merged.is_partial() {
            " — PARTIAL: the figures above cover only part of the plan"
        } else {
            ""
        }
    );
    let width = format!("{0}/{0}", merged.segments).len();
    let mut seen: Vec<&SegmentSeen> = seen.iter().collect();
    seen.sort_by_key(|s| s.segment.index);
    for k in 1..=merged.segments {
        let label = format!("{k}/{}", merged.segments);
        if let Some(missing) = merged.missing.iter().find(|m| m.segment.index == k) {
            let _ = writeln!(
                out,
                "  {label:<width$}  missing: no report; it held {}",
                missing.share
            );
            continue;
        }
        let Some(one) = seen.iter().find(|s| s.segment.index == k) else {
            continue;
        };
        let state = match merged.incomplete.iter().find(|m| m.segment.index == k) {
            Some(cut) => format!("did not finish; it held {}", cut.share),
            None => "ran its share".to_owned(),
        };
        let late = one
            .late_secs
            .map(|l| format!(", {}s after --start-at", seconds(l)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {label:<width$}  {} hits, started {}{late} ({}): {state}",
            one.hits,
            local_time(one.started_unix_ms as i64),
            one.file
        );
    }
    // Those that started a load: one that missed the start ran none.
    let ran: Vec<&&SegmentSeen> = seen
        .iter()
        .filter(|s| s.hits > 0 || s.late_secs.is_some())
        .collect();
    if ran.len() > 1 {
        let spread = |values: &mut dyn Iterator<Item = f64>| {
            let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
            (lo, hi - lo)
        };
        let lates: Vec<f64> = ran.iter().filter_map(|s| s.late_secs).collect();
        let text = if lates.len() == ran.len() {
            // Measured against the one start time: finer than the reports' milliseconds.
            let (_, skew) = spread(&mut lates.iter().copied());
            let latest = lates.iter().copied().fold(0.0, f64::max);
            format!(
                "{}s (the latest started {}s after --start-at)",
                seconds(skew),
                seconds(latest)
            )
        } else {
            let (_, skew) = spread(&mut ran.iter().map(|s| s.started_unix_ms as f64 / 1e3));
            format!(
                "{}s (no --start-at: each started when it was ready)",
                seconds(skew)
            )
        };
        let _ = writeln!(out, "Start skew between segments: {text}");
    }
    out
}
