//! The engine's clock: a thread of its own that wakes the engine loop every tick.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Wakes the engine every [`TICK`] from a thread of its own: tokio's timers are driven by the
/// worker threads, and a stage must still end when every worker is stuck in a hit that never
/// yields.
pub(super) struct Ticker {
    wake: Arc<tokio::sync::Notify>,
    done: Arc<AtomicBool>,
}

impl Ticker {
    /// Ticks at `from` + k × `every`: on the run's own clock, so that every whole second of the
    /// run ends on a tick (and a harvest) rather than the ticks drifting by a sleep's overshoot
    /// each time. A tick that comes late is not made up for: the next one keeps the phase.
    pub(super) fn start(every: Duration, from: Instant) -> Ticker {
        let wake = Arc::new(tokio::sync::Notify::new());
        let done = Arc::new(AtomicBool::new(false));
        let (thread_wake, thread_done) = (wake.clone(), done.clone());
        std::thread::Builder::new()
            .name("loadcase-ticker".into())
            .spawn(move || {
                while !thread_done.load(Ordering::Relaxed) {
                    let now = Instant::now();
                    let ticks = now.saturating_duration_since(from).as_nanos() / every.as_nanos();
                    let next = from + every * (ticks as u32 + 1);
                    std::thread::sleep(next.saturating_duration_since(now));
                    // A stored permit if nobody waits: no tick is lost.
                    thread_wake.notify_one();
                }
            })
            .expect("loadcase: cannot start the ticker thread");
        Ticker { wake, done }
    }

    pub(super) async fn tick(&self) {
        self.wake.notified().await;
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}
