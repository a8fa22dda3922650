//! Watching the worker threads for hits that hold them. A hit that blocks — a busy loop,
//! `std::thread::sleep`, synchronous I/O — does so inside one poll of its future, and every other
//! user of that thread waits meanwhile. Each worker marks when the poll of a hit began, on a
//! clock the engine's loop advances at every tick from its own thread; a poll still marked a whole
//! tick later is a stall. The engine counts stalls against the test whose hit held the worker, and
//! under `--hit-timeout` gives up on the worker's users, so that the run still ends.
//!
//! Marking costs a few relaxed stores per poll on a cache line of the worker's own; reading the
//! time per poll would cost more than the rest of the watch together.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use super::shared::TICK;

/// What one worker is polling: since which tick of the run's clock (+ 1; 0 when it polls no
/// hit), and the hit of which test.
pub(super) struct Beat {
    clock: Arc<AtomicU64>,
    since: AtomicU64,
    test: AtomicUsize,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Beat>>> = const { RefCell::new(None) };
}

impl Beat {
    /// A beat on `clock`; [`install`](Self::install) it on its worker thread.
    pub(super) fn new(clock: Arc<AtomicU64>) -> Arc<Beat> {
        Arc::new(Beat {
            clock,
            since: AtomicU64::new(0),
            test: AtomicUsize::new(0),
        })
    }

    /// Makes this the beat of the calling thread.
    pub(super) fn install(self: &Arc<Beat>) {
        CURRENT.with(|current| *current.borrow_mut() = Some(self.clone()));
    }

    /// The beat of the worker the caller runs on, if it runs on one.
    pub(super) fn current() -> Option<Arc<Beat>> {
        CURRENT.with(|current| current.borrow().clone())
    }
}

/// A hit's future that marks its worker's beat while it is polled.
pub(super) struct Polling<'a, F> {
    pub(super) inner: Pin<&'a mut F>,
    pub(super) beat: Option<&'a Beat>,
    pub(super) test: usize,
}

impl<F: Future> Future for Polling<'_, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<F::Output> {
        let beat = self.beat;
        if let Some(beat) = beat {
            beat.test.store(self.test, Ordering::Relaxed);
            let now = beat.clock.load(Ordering::Relaxed);
            beat.since.store(now + 1, Ordering::Relaxed);
        }
        let result = self.inner.as_mut().poll(task);
        if let Some(beat) = beat {
            beat.since.store(0, Ordering::Relaxed);
        }
        result
    }
}

/// A worker found stalled at a check.
pub(super) struct Stalled {
    pub(super) worker: usize,
    /// The test whose hit holds it.
    pub(super) test: usize,
    /// How long it has been held at least.
    pub(super) for_: Duration,
    /// True at the first check that found this stall.
    pub(super) new: bool,
}

/// The engine's side: the clock, and which stalls it has counted.
pub(super) struct Watch {
    clock: Arc<AtomicU64>,
    counted: Vec<u64>,
}

impl Watch {
    /// A watch over `workers` beats, with the clock they read.
    pub(super) fn new(workers: usize) -> (Watch, Arc<AtomicU64>) {
        let clock = Arc::new(AtomicU64::new(0));
        let watch = Watch {
            clock: clock.clone(),
            counted: vec![0; workers],
        };
        (watch, clock)
    }

    /// Advances the clock by a tick and says which workers have been polling one hit since
    /// before the last tick or longer.
    pub(super) fn check(&mut self, beats: &[Arc<Beat>]) -> Vec<Stalled> {
        let now = self.clock.fetch_add(1, Ordering::Relaxed) + 1;
        let mut found = Vec::new();
        for (worker, beat) in beats.iter().enumerate() {
            let since = beat.since.load(Ordering::Relaxed);
            // Begun at tick since - 1; at least one whole tick between then and now.
            if since == 0 || now < since + 1 {
                continue;
            }
            let ticks = now - since;
            found.push(Stalled {
                worker,
                test: beat.test.load(Ordering::Relaxed),
                for_: TICK * ticks as u32,
                new: self.counted[worker] != since,
            });
            self.counted[worker] = since;
        }
        found
    }
}
