//! One virtual user: its context, its setup, its loop of hits, its teardown, and the slot through
//! which the engine retires it or abandons a hit that never yields.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

use super::open::{self, Queue};
use super::shared::Shared;
use super::watchdog::{Beat, Polling};
use crate::context::Context;
use crate::outcome::error::ProblemKind;
use crate::outcome::{CatchHit, Outcome, Problem};
use crate::record::recorder::Recorder;
use crate::test::Step;

const IDLE: u8 = 0;
const IN_HIT: u8 = 1;
const ABANDONED: u8 = 2;

/// Where one user is, shared by its task and the engine. Each side changes it with one atomic
/// operation, so a hit is counted exactly once: completed by the user, cancelled by its own
/// drop, or abandoned by the engine.
pub(super) struct Slot {
    state: AtomicU8,
    retired: AtomicBool,
    test: usize,
}

impl Slot {
    /// A user of the `test`th test of the run.
    pub(super) fn new(test: usize) -> Slot {
        Slot {
            state: AtomicU8::new(IDLE),
            retired: AtomicBool::new(false),
            test,
        }
    }

    /// The index of the user's test in the run.
    pub(super) fn test(&self) -> usize {
        self.test
    }

    /// A hit starts, unless the user was abandoned.
    fn begin(&self) -> bool {
        self.state
            .compare_exchange(IDLE, IN_HIT, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// A hit ends; false if the engine abandoned it meanwhile (it then counted it).
    fn end(&self) -> bool {
        self.state
            .compare_exchange(IN_HIT, IDLE, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The engine gives up on this user; true if a hit was running (the engine counts it).
    pub(super) fn abandon(&self) -> bool {
        self.state.swap(ABANDONED, Ordering::AcqRel) == IN_HIT
    }

    /// The user finishes its current hit, then stops (a ramp down, the end of `--stages`).
    pub(super) fn retire(&self) {
        self.retired.store(true, Ordering::Relaxed);
    }

    fn is_retired(&self) -> bool {
        self.retired.load(Ordering::Relaxed)
    }
}

/// Where a user's hits come from.
pub(super) enum Work {
    /// The closed model: hit after hit, until a count, a deadline, or retirement.
    Closed {
        hits: Option<u64>,
        deadline: Option<Instant>,
    },
    /// The open model: hits as they fall due, from the queue of the user's test.
    Open(Arc<Queue>),
}

/// A hit (or setup) in progress: dropped before it finished (its task aborted at the end of a
/// grace period), a hit counts itself as cancelled.
struct InFlight<'a> {
    slot: &'a Slot,
    rec: &'a Recorder,
    is_hit: bool,
    finished: bool,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if !self.finished && self.slot.end() && self.is_hit {
            self.rec.with(|stats| stats.hits.cancelled += 1);
        }
    }
}

pub(super) async fn run(shared: Arc<Shared>, slot: Arc<Slot>, index: u64, test: usize, work: Work) {
    let _active = shared.active.enter();
    let _pool = match &work {
        Work::Open(queue) => Some(queue.member()),
        Work::Closed { .. } => None,
    };
    let entry = &shared.tests[test];
    let beat = Beat::current();
    let watched = Watched {
        beat: beat.as_deref(),
        test,
    };
    let mut cx = Context::with_limits(
        index,
        entry.rec.clone(),
        entry.server_url.clone(),
        shared.request_timeout,
        shared.body_limit,
        shared.tls.clone(),
    )
    .with_control(shared.control.clone())
    .with_segment(shared.segment);
    if let Some(setup) = &entry.setup {
        match guarded(&shared, &slot, &entry.rec, false, setup, &mut cx, &watched).await {
            Some(Ran { outcome, took, .. }) => {
                let failed = outcome.is_err();
                entry.rec.hook(false, &outcome, took, &entry.location);
                if failed {
                    if let Work::Closed {
                        hits: Some(hits), ..
                    } = work
                    {
                        entry.rec.with(|stats| stats.hits.not_run += hits);
                    }
                    return;
                }
            }
            None => return,
        }
    }
    let mut done = 0u64;
    // The open model: how much sooner the user's last hit would have ended had the generator
    // started it on time.
    let mut shift = Duration::ZERO;
    // When the last hit ended, which is when an open-model user became free.
    let mut last_end: Option<Instant> = None;
    loop {
        let due = match &work {
            Work::Closed { hits, deadline } => {
                if shared.control.is_stopped()
                    || slot.is_retired()
                    || hits.is_some_and(|h| done >= h)
                    || deadline.is_some_and(|d| checked_at(last_end, shared.think.is_none()) >= d)
                {
                    break;
                }
                None
            }
            Work::Open(queue) => {
                // When it would have been free had its earlier hits started on time.
                let now = last_end.unwrap_or_else(Instant::now);
                let free = now.checked_sub(shift).unwrap_or(now);
                match queue.next(&shared.control).await {
                    Some(due) => Some((due, free)),
                    None => break,
                }
            }
        };
        cx.set_hit(done);
        let Some(Ran {
            outcome,
            took,
            start,
            end,
        }) = guarded(
            &shared, &slot, &entry.rec, true, &entry.hit, &mut cx, &watched,
        )
        .await
        else {
            return;
        };
        last_end = Some(end);
        // From when the hit was due, less the thinking in it and the generator's own delay in
        // starting it.
        let corrected = due.map(|(due, free)| {
            shift = open::own_delay(due, free, start);
            let thought = end.saturating_duration_since(start).saturating_sub(took);
            end.saturating_duration_since(due)
                .saturating_sub(thought)
                .saturating_sub(shift)
        });
        entry.rec.hit(&outcome, took, corrected, &entry.location);
        done += 1;
        // A hit that never awaits anything would otherwise keep this worker to itself.
        tokio::task::consume_budget().await;
        if let (Work::Closed { hits, deadline }, Some(think)) = (&work, shared.think)
            && hits.is_none_or(|h| done < h)
        {
            pause(&shared, &slot, think.pick(), *deadline).await;
        }
    }
    if let Some(teardown) = &entry.teardown
        && let Some(Ran { outcome, took, .. }) = guarded(
            &shared, &slot, &entry.rec, false, teardown, &mut cx, &watched,
        )
        .await
    {
        entry.rec.hook(true, &outcome, took, &entry.location);
    }
}

/// Where a user's hits run, for the watchdog.
struct Watched<'a> {
    beat: Option<&'a Beat>,
    test: usize,
}

/// What a hit (or setup, or teardown) did, and when.
struct Ran {
    outcome: Outcome,
    /// Its time, without the thinking in it.
    took: Duration,
    start: Instant,
    end: Instant,
}

/// Runs `f` (a hit, a setup or a teardown) as the slot allows, under `--hit-timeout`; `None` if
/// the engine abandoned the user.
async fn guarded(
    shared: &Shared,
    slot: &Slot,
    rec: &Recorder,
    is_hit: bool,
    f: &Step,
    cx: &mut Context,
    watched: &Watched<'_>,
) -> Option<Ran> {
    if !slot.begin() {
        return None;
    }
    let start = Instant::now();
    let mut in_flight = InFlight {
        slot,
        rec,
        is_hit,
        finished: false,
    };
    let outcome = {
        let mut call = std::pin::pin!(CatchHit::new(f(cx)));
        let call = Polling {
            inner: call.as_mut(),
            beat: watched.beat,
            test: watched.test,
        };
        match shared.hit_timeout {
            None => call.await,
            Some(limit) => match tokio::time::timeout(limit, call).await {
                // A hit that blocked past its limit inside one poll finished before the timer could
                // end it: it overran all the same, and is no success.
                Ok(_) if start.elapsed() > limit => Err(Problem {
                    kind: ProblemKind::Error,
                    message: format!(
                        "overran --hit-timeout {} without yielding, so it could not be cancelled in time (a blocking call or a busy loop; blocking code belongs in tokio::task::spawn_blocking)",
                        humantime::format_duration(limit)
                    ),
                    location: None,
                }),
                Ok(outcome) => outcome,
                Err(_) => Err(Problem {
                    kind: ProblemKind::Error,
                    message: format!(
                        "cancelled after {} (--hit-timeout)",
                        humantime::format_duration(limit)
                    ),
                    location: None,
                }),
            },
        }
    };
    in_flight.finished = true;
    drop(in_flight);
    if !slot.end() {
        return None;
    }
    let end = Instant::now();
    let took = end
        .saturating_duration_since(start)
        .saturating_sub(cx.take_thought());
    Some(Ran {
        outcome,
        took,
        start,
        end,
    })
}

/// About now, for the deadline: the last hit's end when nothing came after it (a clock read less
/// a hit), else the clock.
fn checked_at(last_end: Option<Instant>, nothing_since: bool) -> Instant {
    match last_end {
        Some(end) if nothing_since => end,
        _ => Instant::now(),
    }
}

/// Think time between hits, cut short by a stop, a retirement check or the deadline.
async fn pause(shared: &Shared, slot: &Slot, think: Duration, deadline: Option<Instant>) {
    if think.is_zero() || slot.is_retired() {
        return;
    }
    let mut until = Instant::now() + think;
    if let Some(deadline) = deadline {
        until = until.min(deadline);
    }
    tokio::select! {
        _ = tokio::time::sleep_until(until.into()) => {}
        _ = shared.control.stopped() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_is_finished_or_abandoned_never_both() {
        let slot = Slot::new(0);
        assert!(slot.begin());
        assert!(slot.end(), "finished by the user");
        assert!(!slot.abandon(), "nothing running to count");
        assert!(!slot.begin(), "an abandoned user starts no hit");

        let slot = Slot::new(0);
        assert!(slot.begin());
        assert!(slot.abandon(), "the engine counts the running hit");
        assert!(!slot.end(), "so the user does not record it");
    }
}
