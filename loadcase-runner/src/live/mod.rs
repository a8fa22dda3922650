//! A run watched while it goes: its figures pushed to Prometheus by remote-write.

// Wired into the run by the next commits (the runner's snapshot hook lands with the segments).
#![allow(dead_code)]

pub mod metrics;
pub mod push;
pub mod remote_write;

#[cfg(test)]
mod tests;
