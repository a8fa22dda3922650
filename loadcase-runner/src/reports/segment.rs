//! What a split run's JSON reports carry beside the report: a segment's says whether it was
//! written while the segment ran and which thresholds the merge is to judge; a merge's says which
//! segments it holds. Both are fields of their own, so a reader of `loadcase::Report` ignores them.

use loadcase::report::Merged;
use serde::{Deserialize, Serialize};

use crate::verdict::Thresholds;

/// A segment's report, for `cargo loadrun merge`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRun {
    /// Written from a snapshot while the segment ran: it has not ended, or it died.
    #[serde(default)]
    pub live: bool,
    /// The thresholds over the whole run (the test's own, the profile's or the command line's),
    /// judged on the merged figures only.
    #[serde(default)]
    pub thresholds: Vec<String>,
    /// In a mix, each test's own thresholds, by test path.
    #[serde(default)]
    pub test_thresholds: Vec<(String, Vec<String>)>,
}

impl SegmentRun {
    /// The thresholds of a run, kept as text for the merge to judge.
    pub fn new(thresholds: &Thresholds) -> SegmentRun {
        let text =
            |list: &[loadcase::report::Threshold]| list.iter().map(|t| t.to_string()).collect();
        SegmentRun {
            live: false,
            thresholds: text(&thresholds.run),
            test_thresholds: thresholds
                .by_test
                .iter()
                .map(|(test, own)| (test.clone(), text(own)))
                .collect(),
        }
    }
}

/// A segment of a merge, as the merged JSON report lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentEntry {
    /// `K/N`.
    pub segment: String,
    /// What of the plan it held.
    pub share: String,
}

/// What a merged report says of the segments it was made of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeInfo {
    /// How many segments the run had.
    pub segments: u32,
    /// Those merged, K from 1.
    pub present: Vec<u32>,
    /// Those without a report.
    pub missing: Vec<SegmentEntry>,
    /// Those that reported but did not run their share to its end.
    pub incomplete: Vec<SegmentEntry>,
    /// Whether the figures cover less than the whole plan.
    pub partial: bool,
}

impl MergeInfo {
    /// From a merge.
    pub fn of(merged: &Merged) -> MergeInfo {
        let entries = |list: &[loadcase::report::SegmentShare]| {
            list.iter()
                .map(|s| SegmentEntry {
                    segment: s.segment.to_string(),
                    share: s.share.clone(),
                })
                .collect()
        };
        MergeInfo {
            segments: merged.segments,
            present: merged.present.clone(),
            missing: entries(&merged.missing),
            incomplete: entries(&merged.incomplete),
            partial: merged.is_partial(),
        }
    }
}

/// What a JSON report carries beside the report itself.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Extra<'a> {
    /// A segment's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment_run: Option<&'a SegmentRun>,
    /// A merge's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merge: Option<&'a MergeInfo>,
}

/// What a segment's JSON report carries beside the report, read back.
#[derive(Debug, Default, Deserialize)]
pub struct ExtraRead {
    /// The segment's, absent from any other report.
    #[serde(default)]
    pub segment_run: Option<SegmentRun>,
}
