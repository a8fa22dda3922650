//! The open model: hits fall due at a rate whatever the response times; a pool of virtual users,
//! grown on demand up to `--max-users`, takes them in order. A hit that waits for a free user
//! longer than `--max-delay` is dropped and counted; at the schedule's end, the hits still
//! waiting get the same delay to start.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, mpsc};

use crate::control::Control;
use crate::record::recorder::Recorder;

/// The hits due for one test of the run, and the users that take them.
pub(super) struct Queue {
    rx: Mutex<mpsc::UnboundedReceiver<Instant>>,
    /// Hits put in the queue.
    sent: AtomicU64,
    /// Hits taken out of it, run or dropped.
    taken: AtomicU64,
    /// Users waiting for a hit.
    idle: AtomicU64,
    max_delay: Duration,
    rec: Recorder,
    /// Users of every queue of the run, against `--max-users`.
    pool: Arc<AtomicU64>,
}

/// The sending side, held by the dispatcher.
pub(super) struct Feed {
    tx: Option<mpsc::UnboundedSender<Instant>>,
    pub(super) queue: Arc<Queue>,
}

impl Feed {
    pub(super) fn new(rec: Recorder, max_delay: Duration, pool: Arc<AtomicU64>) -> Feed {
        let (tx, rx) = mpsc::unbounded_channel();
        Feed {
            tx: Some(tx),
            queue: Arc::new(Queue {
                rx: Mutex::new(rx),
                sent: AtomicU64::new(0),
                taken: AtomicU64::new(0),
                idle: AtomicU64::new(0),
                max_delay,
                rec,
                pool,
            }),
        }
    }

    /// Puts a hit due at `due` in the queue; true if no idle user is there to take it (so the
    /// dispatcher should add one, if the pool allows).
    pub(super) fn push(&self, due: Instant) -> bool {
        let q = &self.queue;
        if let Some(tx) = &self.tx
            && tx.send(due).is_ok()
        {
            q.sent.fetch_add(1, Ordering::Relaxed);
        }
        let backlog = q.sent.load(Ordering::Relaxed) - q.taken.load(Ordering::Relaxed);
        backlog > q.idle.load(Ordering::Relaxed)
    }

    /// No more hits. Those still queued run as users reach them, unless they waited longer than
    /// `--max-delay` by then: a hit due just before the schedule's end is not dropped for the
    /// end alone (on a loaded machine its user may start it a little after).
    pub(super) fn close(&mut self) {
        self.tx = None;
    }
}

impl Queue {
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

    /// The next hit to run, with when it was due; dropping those that waited too long. `None`
    /// when the schedule has ended and the queue is empty, or the run was stopped.
    pub(super) async fn next(&self, control: &Control) -> Option<Instant> {
        loop {
            let due = {
                let _idle = Counted::enter(&self.idle);
                tokio::select! {
                    due = async { self.rx.lock().await.recv().await } => due,
                    _ = control.stopped() => None,
                }
            }?;
            self.taken.fetch_add(1, Ordering::Relaxed);
            if due.elapsed() > self.max_delay {
                self.rec.with(|stats| stats.hits.dropped += 1);
                continue;
            }
            return Some(due);
        }
    }

    /// Hits put in the queue that no user took: dropped, once the run is over.
    pub(super) fn left_over(&self) -> u64 {
        self.sent.load(Ordering::Relaxed) - self.taken.load(Ordering::Relaxed)
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
