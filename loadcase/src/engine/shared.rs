//! What every part of the engine shares: its timings, and the run's state that users read.

use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::time::Duration;

use super::active::ActiveUsers;
use crate::control::Control;
use crate::plan::segment::Segment;
use crate::plan::shape::Think;
use crate::record::recorder::Recorder;
use crate::test::Step;

/// How often progress is reported and shards harvested.
pub const TICK: Duration = Duration::from_millis(250);
/// In duration mode, how long hits still running at the end of a stage may take to finish
/// before they are cancelled (and counted in [`HitStats::cancelled`](crate::report::HitStats)).
pub const STAGE_GRACE: Duration = Duration::from_secs(5);
/// After a stop, how long running hits may take to finish before they are cancelled.
pub const STOP_GRACE: Duration = Duration::from_secs(2);
/// After hits were cancelled, how long before those that did not stop (they never yield to the
/// runtime) are abandoned, so that the run still ends.
pub const ABANDON_AFTER: Duration = Duration::from_secs(1);

/// One test of the run, as its users need it.
pub(super) struct TestEntry {
    pub(super) hit: Step,
    pub(super) setup: Option<Step>,
    pub(super) teardown: Option<Step>,
    pub(super) rec: Recorder,
    pub(super) location: String,
    /// The base URL of this test's `cx.app`: the plan's, the environment's, or its own.
    pub(super) server_url: Option<String>,
}

pub(super) struct Shared {
    pub(super) tests: Vec<TestEntry>,
    /// The test of user `i` is `order[i % order.len()]`.
    pub(super) order: Vec<usize>,
    pub(super) weights: Vec<u32>,
    pub(super) control: Control,
    pub(super) active: ActiveUsers,
    /// The stage running now, from 0, and when it started (ms since the run's start).
    pub(super) stage: AtomicUsize,
    pub(super) stage_started_ms: AtomicU64,
    pub(super) think: Option<Think>,
    pub(super) hit_timeout: Option<Duration>,
    pub(super) request_timeout: Duration,
    /// The most of a response body a session keeps, unless its request says otherwise.
    pub(super) body_limit: u64,
    /// The run's TLS configuration (`--ca-cert`, `--insecure`), built once for every user.
    pub(super) tls: Option<crate::tls::config::Tls>,
    /// The share of the plan this process runs.
    pub(super) segment: Segment,
    /// What random choices are drawn from, shared by the segments of a run.
    pub(super) seed: Option<u64>,
}

impl Shared {
    pub(super) fn test_of(&self, user: u64) -> usize {
        self.order[(user % self.order.len() as u64) as usize]
    }
}
