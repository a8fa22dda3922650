//! The report model: what a run measured ([`Report`](crate::Report)), its statistics, histograms
//! and per-second series, the figures computed from them, and thresholds judged on those figures.
//!
//! Everything here serializes with serde, histograms included, so that the reports of several
//! processes merge exactly ([`Report::merge`](crate::Report::merge)).

pub(crate) mod figures;
pub(crate) mod histogram;
pub(crate) mod model;
pub(crate) mod segments;
pub(crate) mod series;
pub(crate) mod stats;
pub(crate) mod threshold;

pub use figures::{
    ALL_REQUESTS, Distribution, Figures, HitFigures, PERCENTILES, RequestFigures, SecondFigures,
};
pub use histogram::{Histogram, PackedHistogram};
pub use model::{REPORT_SCHEMA, StageStats};
pub use segments::{MergeError, Merged, SegmentShare, merge_segments};
pub use series::Second;
pub use stats::{
    HitStats, HookStats, MAX_PROBLEM_GROUPS, MAX_REQUEST_NAMES, OTHER_REQUESTS, ProblemGroup,
    RequestStats, StallStats, Stats, WebSocketStats,
};
pub use threshold::{Threshold, ThresholdError, Verdict, check_thresholds, parse_thresholds};
