//! The open model: hits fall due at a rate whatever the response times; a pool of virtual users,
//! grown on demand up to `--max-users`, takes them in order. A hit that waits for a free user
//! longer than `--max-delay` is dropped and counted; at the schedule's end, the hits still
//! waiting get the same delay to start.
//!
//! Each worker thread has its own share of the hits, its own dispatcher, queues and users, so a
//! hit is handed to a user on the thread that queued it: no hit crosses threads, and no worker
//! wakes another. The dispatcher wakes on tokio's millisecond timer and queues every hit due by
//! then at once, so their requests go out together (a syscall and a wake-up serve several);
//! what that costs a hit's start is the generator's, and left out of its corrected time
//! ([`own_delay`]).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::control::Control;
use crate::plan::segment::Segment;
use crate::plan::shape::Rate;
use crate::record::recorder::Recorder;

/// The most of a hit's late start that is put down to the generator itself: tokio's timers fire
/// on millisecond ticks (a deadline is rounded up to the next one, and the thread's wait for it
/// to whole milliseconds again), so the dispatcher queues a hit up to about two milliseconds
/// after it was due, and the hits it queued together then start one after another on their
/// thread. That wait is the generator's, not the server's; a longer one counts (a generator that
/// cannot keep up).
pub(super) const START_SLACK: Duration = Duration::from_millis(2);

/// How much of the wait of a hit due at `due` and started at `start` was the generator's own,
/// for a user free since `free` (when it would have been, had its own earlier hits started on
/// time): none if the user was not free before `start` (the hit waited for a free user, which is
/// what the corrected time is for), and never more than [`START_SLACK`].
pub(super) fn own_delay(due: Instant, free: Instant, start: Instant) -> Duration {
    start
        .saturating_duration_since(due.max(free))
        .min(START_SLACK)
}

/// Which hits of one test a worker thread's queue takes: of this process's segment, the
/// `first`th and every `step`th after it.
#[derive(Clone)]
pub(super) struct Lane {
    pub(super) rate: Rate,
    /// The test's share of the rate, in a mix.
    pub(super) share: f64,
    pub(super) segment: Segment,
    pub(super) first: u64,
    pub(super) step: u64,
    /// When the schedule started.
    pub(super) start: Instant,
}

impl Lane {
    /// When the `j`th hit of the lane is due; `None` past the schedule's end.
    pub(super) fn due(&self, j: u64) -> Option<Instant> {
        let index = self.segment.nth_owned(self.first + j * self.step);
        let offset = self.rate.due(index, self.share)?;
        self.start.checked_add(offset)
    }
}

/// The hits due for one test of the run on one worker thread, and the users that take them.
pub(super) struct Queue {
    lane: Lane,
    hits: Mutex<VecDeque<Instant>>,
    /// Wakes a user waiting for a hit; a user dropped while woken passes it on (tokio's
    /// `Notified`), so a hit is never left with no user woken for it.
    ready: Notify,
    closed: AtomicBool,
    /// Hits put in the queue.
    sent: AtomicU64,
    /// Hits taken out of it, run or dropped.
    taken: AtomicU64,
    /// Users waiting for a hit.
    idle: AtomicU64,
    max_delay: Duration,
    rec: Recorder,
    /// Users of every queue of this worker thread, against its share of `--max-users`.
    pool: Arc<AtomicU64>,
}

/// The sending side, held by a dispatcher.
pub(super) struct Feed {
    pub(super) queue: Arc<Queue>,
}

impl Feed {
    pub(super) fn new(lane: Lane, rec: Recorder, pool: Arc<AtomicU64>) -> Feed {
        Feed {
            queue: Arc::new(Queue {
                max_delay: lane.rate.max_delay,
                lane,
                hits: Mutex::new(VecDeque::new()),
                ready: Notify::new(),
                closed: AtomicBool::new(false),
                sent: AtomicU64::new(0),
                taken: AtomicU64::new(0),
                idle: AtomicU64::new(0),
                rec,
                pool,
            }),
        }
    }

    /// Puts a hit due at `due` in the queue; true if no idle user is there to take it (so the
    /// dispatcher should add one, if the pool allows).
    pub(super) fn push(&self, due: Instant) -> bool {
        let q = &self.queue;
        q.hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(due);
        let sent = q.sent.fetch_add(1, Ordering::Relaxed) + 1;
        q.ready.notify_one();
        let backlog = sent - q.taken.load(Ordering::Relaxed);
        backlog > q.idle.load(Ordering::Relaxed)
    }

    /// No more hits. Those still queued run as users reach them, unless they waited longer than
    /// `--max-delay` by then: a hit due just before the schedule's end is not dropped for the
    /// end alone (on a loaded machine its user may start it a little after).
    pub(super) fn close(&self) {
        self.queue.closed.store(true, Ordering::Release);
        self.queue.ready.notify_waiters();
    }
}

impl Queue {
    /// The hits this queue takes.
    pub(super) fn lane(&self) -> &Lane {
        &self.lane
    }

    /// Takes a place in the pool if `max_users` allows.
    pub(super) fn try_join(&self, max_users: u32) -> bool {
        self.pool
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < u64::from(max_users)).then_some(n + 1)
            })
            .is_ok()
    }

    /// Held by a user of the pool: leaves it on drop.
    pub(super) fn member(&self) -> PoolMember<'_> {
        PoolMember(&self.pool)
    }

    fn pop(&self) -> Option<Instant> {
        let due = self
            .hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()?;
        self.taken.fetch_add(1, Ordering::Relaxed);
        Some(due)
    }

    /// The next hit to run, with when it was due; dropping those that waited too long. `None`
    /// when the schedule has ended and the queue is empty, or the run was stopped.
    pub(super) async fn next(&self, control: &Control) -> Option<Instant> {
        loop {
            let due = match self.pop() {
                Some(due) => due,
                None => {
                    let _idle = Counted::enter(&self.idle);
                    self.wait(control).await?
                }
            };
            if due.elapsed() > self.max_delay {
                self.rec.with(|stats| stats.hits.dropped += 1);
                continue;
            }
            return Some(due);
        }
    }

    /// Waits for a hit to be queued, or the end.
    async fn wait(&self, control: &Control) -> Option<Instant> {
        loop {
            let ready = self.ready.notified();
            tokio::pin!(ready);
            // Registered before looking again, so that a hit queued in between wakes it.
            ready.as_mut().enable();
            if let Some(due) = self.pop() {
                return Some(due);
            }
            if self.closed.load(Ordering::Acquire) || control.is_stopped() {
                return None;
            }
            tokio::select! {
                _ = ready => {}
                _ = control.stopped() => return None,
            }
        }
    }

    /// Hits due by `until` that no user took, once the run is over: those left in the queue,
    /// and those its dispatcher never queued because a hit that does not yield held its thread
    /// (the queue was never closed). All are dropped.
    pub(super) fn left_over(&self, until: Instant) -> u64 {
        let sent = self.sent.load(Ordering::Relaxed);
        let queued = sent - self.taken.load(Ordering::Relaxed);
        if self.closed.load(Ordering::Acquire) {
            return queued;
        }
        let mut j = sent;
        while self.lane.due(j).is_some_and(|due| due <= until) {
            j += 1;
        }
        queued + (j - sent)
    }

    pub(super) fn rec(&self) -> &Recorder {
        &self.rec
    }
}

pub(super) struct PoolMember<'a>(&'a AtomicU64);

impl Drop for PoolMember<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

struct Counted<'a>(&'a AtomicU64);

impl<'a> Counted<'a> {
    fn enter(count: &'a AtomicU64) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Counted(count)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn only_the_generators_part_of_a_late_start_is_left_out() {
        let t0 = Instant::now();
        let start = t0 + ms(1);
        assert_eq!(
            own_delay(t0, t0 - ms(5), start),
            ms(1),
            "a user free all along"
        );
        let half = Duration::from_micros(500);
        assert_eq!(
            own_delay(t0, t0 + half, start),
            half,
            "a user free after the hit was due"
        );
        assert_eq!(
            own_delay(t0, t0 + ms(3), start),
            Duration::ZERO,
            "a user free only later"
        );
        assert_eq!(
            own_delay(t0, t0, t0 + ms(40)),
            START_SLACK,
            "a generator held up beyond the slack: the rest counts"
        );
    }

    #[test]
    fn hits_queued_together_and_run_one_after_another_each_count_their_own_time() {
        // Ten hits due 5 µs apart, queued together 1 ms after the first was due and taken one
        // after another by a user waiting since before, each taking 2 µs: as if each had
        // started when due, each counts its 2 µs.
        let t0 = Instant::now();
        let us = Duration::from_micros;
        let mut free = t0 - ms(1);
        let mut now = t0 + ms(1);
        for i in 0..10u32 {
            let due = t0 + us(5) * i;
            let start = now;
            now += us(2);
            let shift = own_delay(due, free, start);
            let corrected = (now - due).saturating_sub(shift);
            assert_eq!(corrected, us(2), "hit {i}");
            // What the user loop does: free when this one ends, less what it was put back.
            free = now - shift;
        }
    }
}
