//! One virtual user: its context, its loop of hits, and the slot through which the stage can
//! abandon a hit that never yields.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Instant;

use super::Shared;
use crate::context::Context;
use crate::metrics::Recorder;
use crate::outcome::CatchHit;

const IDLE: u8 = 0;
const IN_HIT: u8 = 1;
const ABANDONED: u8 = 2;

/// Where one user is, shared by its task and its stage. Each side changes it with one atomic
/// operation, so a hit is counted exactly once: completed by the user, cancelled by its own
/// drop, or abandoned by the stage.
#[derive(Default)]
pub(super) struct Slot(AtomicU8);

impl Slot {
    /// A hit starts, unless the user was abandoned.
    fn begin(&self) -> bool {
        self.0
            .compare_exchange(IDLE, IN_HIT, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// A hit ends; false if the stage abandoned it meanwhile (it then counted it).
    fn end(&self) -> bool {
        self.0
            .compare_exchange(IN_HIT, IDLE, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The stage gives up on this user; true if a hit was running (the stage counts it).
    pub(super) fn abandon(&self) -> bool {
        self.0.swap(ABANDONED, Ordering::AcqRel) == IN_HIT
    }
}

/// A hit in progress: dropped before it finished (its task aborted at the end of a grace
/// period), it counts itself as cancelled.
struct InFlight<'a> {
    slot: &'a Slot,
    rec: &'a Recorder,
    finished: bool,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if !self.finished && self.slot.end() {
            self.rec.with(|stats| stats.hits.cancelled += 1);
        }
    }
}

struct Active<'a>(&'a AtomicU64);

impl<'a> Active<'a> {
    fn enter(count: &'a AtomicU64) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Active(count)
    }
}

impl Drop for Active<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

pub(super) async fn run(
    shared: Arc<Shared>,
    slot: Arc<Slot>,
    index: u64,
    hits: Option<u64>,
    deadline: Option<Instant>,
) {
    let _active = Active::enter(&shared.active);
    let mut cx = Context::new(index, shared.rec.clone(), shared.server_url.clone());
    let mut done = 0u64;
    loop {
        if shared.control.is_stopped()
            || hits.is_some_and(|h| done >= h)
            || deadline.is_some_and(|d| Instant::now() >= d)
            || !slot.begin()
        {
            break;
        }
        cx.set_hit(done);
        let start = Instant::now();
        let mut in_flight = InFlight {
            slot: &slot,
            rec: &shared.rec,
            finished: false,
        };
        let outcome = CatchHit::new((shared.hit)(&mut cx)).await;
        in_flight.finished = true;
        drop(in_flight);
        if !slot.end() {
            break;
        }
        shared.rec.hit(&outcome, start.elapsed(), &shared.location);
        done += 1;
        // A hit that never awaits anything would otherwise keep this worker to itself.
        tokio::task::consume_budget().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_is_finished_or_abandoned_never_both() {
        let slot = Slot::default();
        assert!(slot.begin());
        assert!(slot.end(), "finished by the user");
        assert!(!slot.abandon(), "nothing running to count");
        assert!(!slot.begin(), "an abandoned user starts no hit");

        let slot = Slot::default();
        assert!(slot.begin());
        assert!(slot.abandon(), "the stage counts the running hit");
        assert!(!slot.end(), "so the user does not record it");
    }
}
