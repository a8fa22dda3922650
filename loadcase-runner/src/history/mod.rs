//! The run history: every run recorded in an SQLite file of the workspace ([`store`], with its
//! [`schema`], the [`environment`] a run ran in, and its owner-only [`permissions`]), what `cargo loadrun history` prints of it
//! ([`views`]), and what a run does with it: its `--compare` [`baseline`], and the
//! [`tracking`] that compares and records the run when it ends.

pub mod baseline;
pub mod environment;
pub mod permissions;
pub mod schema;
pub mod store;
pub mod tracking;
pub mod views;
