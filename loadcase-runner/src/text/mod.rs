//! What the runner writes for a person to read on a terminal: the [`summary`] after a run, the
//! [`compare`] table beside a baseline, and the [`format`](mod@format) of every figure, which the reports
//! use too.

pub mod compare;
pub mod format;
pub mod segments;
pub mod summary;
