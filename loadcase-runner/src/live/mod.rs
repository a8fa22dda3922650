//! A run watched while it goes and told when it ends: its figures pushed to Prometheus by
//! remote-write, and a webhook at the end.

// Wired into the run by the next commits (the runner's snapshot hook lands with the segments).
#![allow(dead_code)]

pub mod metrics;
pub mod notify;
pub mod push;
pub mod remote_write;
pub mod reports;
pub mod run_dir;

#[cfg(test)]
mod tests;
