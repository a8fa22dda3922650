//! The parts of a [`Plan`](crate::Plan): its [`Shape`] (stages of users, user targets over time,
//! or an arrival rate), ramps, rates, think time, the request log, and why a plan is refused.

pub(crate) mod args;
pub(crate) mod duration;
pub(crate) mod error;
pub(crate) mod log;
pub(crate) mod memory;
pub(crate) mod model;
pub(crate) mod options;
pub(crate) mod segment;
pub(crate) mod shape;
mod share;
pub(crate) mod size;
mod wire;

pub use duration::{MAX_DURATION, parse_duration};
pub use error::{DurationProblem, PlanError, PlanField};
pub use log::{LogFormat, LogSpec};
pub use memory::{BYTES_PER_USER, available_memory};
pub use model::{Length, START_GRACE, Shape};
pub use segment::{Segment, SegmentError};
pub use shape::{
    DEFAULT_MAX_DELAY, DEFAULT_MAX_USERS, MAX_RATE, Ramp, Rate, RateStage, Target, Think, users_at,
};

#[cfg(test)]
mod tests;
