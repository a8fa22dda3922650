//! The engine's threads, one per core: each runs a current-thread tokio runtime of its own, and
//! the users given to it stay on it. No task moves between threads, so no worker wakes another to
//! steal work and a user's connections, timers and metrics shard stay on one core; tokio's
//! work-stealing runtime cost 1.47× the CPU per request with two workers instead of one in the
//! `threads` part of the benchmark. The engine's own loop runs on the calling thread.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use tokio::runtime::{Builder, Handle};
use tokio::sync::oneshot;

use super::watchdog::Beat;

/// How long shutting down may take: running tasks are dropped (counting themselves as
/// cancelled); a thread stuck in a hit that never yields is left behind.
const SHUTDOWN: Duration = Duration::from_millis(100);

pub(super) struct Workers {
    handles: Vec<Handle>,
    beats: Vec<Arc<Beat>>,
    stops: Vec<oneshot::Sender<()>>,
    stopped: mpsc::Receiver<()>,
}

impl Workers {
    /// Starts `count` workers, each marking what it polls on a beat read against `clock`.
    pub(super) fn start(count: usize, clock: &Arc<AtomicU64>) -> Workers {
        let (stopped_tx, stopped) = mpsc::channel();
        let mut handles = Vec::with_capacity(count);
        let mut stops = Vec::with_capacity(count);
        let beats: Vec<Arc<Beat>> = (0..count).map(|_| Beat::new(clock.clone())).collect();
        for beat in &beats {
            let beat = beat.clone();
            let (handle_tx, handle_rx) = mpsc::channel();
            let (stop, stop_rx) = oneshot::channel::<()>();
            let stopped_tx = stopped_tx.clone();
            thread::Builder::new()
                .name("loadcase-worker".into())
                .spawn(move || {
                    beat.install();
                    let runtime = Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("loadcase: cannot start a tokio runtime");
                    let _ = handle_tx.send(runtime.handle().clone());
                    runtime.block_on(async {
                        let _ = stop_rx.await;
                    });
                    runtime.shutdown_timeout(SHUTDOWN);
                    let _ = stopped_tx.send(());
                })
                .expect("loadcase: cannot start a worker thread");
            handles.push(
                handle_rx
                    .recv()
                    .expect("loadcase: a worker thread ended before it started"),
            );
            stops.push(stop);
        }
        Workers {
            handles,
            beats,
            stops,
            stopped,
        }
    }

    /// How many workers there are.
    pub(super) fn count(&self) -> usize {
        self.handles.len()
    }

    /// The runtime of each worker.
    pub(super) fn handles(&self) -> &[Handle] {
        &self.handles
    }

    /// The runtime of worker `n`.
    pub(super) fn handle(&self, n: usize) -> &Handle {
        &self.handles[n]
    }

    /// The worker of the `n`th user started, spreading users evenly.
    pub(super) fn worker_of(&self, n: usize) -> usize {
        n % self.handles.len()
    }

    /// What each worker is polling.
    pub(super) fn beats(&self) -> &[Arc<Beat>] {
        &self.beats
    }

    /// Stops every worker, dropping what still runs there, and waits until they have (at most a
    /// little more than [`SHUTDOWN`], whatever a stuck thread does).
    pub(super) fn shut_down(self) {
        let count = self.stops.len();
        for stop in self.stops {
            let _ = stop.send(());
        }
        let deadline = Instant::now() + SHUTDOWN * 2;
        for _ in 0..count {
            let left = deadline.saturating_duration_since(Instant::now());
            if self.stopped.recv_timeout(left).is_err() {
                break;
            }
        }
    }
}

/// Worker threads of a run: `LOADCASE_WORKER_THREADS`, or one per core.
pub fn worker_threads() -> Result<usize, String> {
    let cores = || std::thread::available_parallelism().map_or(1, usize::from);
    match std::env::var(crate::protocol::env::WORKER_THREADS) {
        Err(_) => Ok(cores()),
        Ok(text) if text.is_empty() => Ok(cores()),
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "LOADCASE_WORKER_THREADS: `{text}` is not a number of threads; give a whole number of at least 1, or unset it for one per core"
            )),
        },
    }
}
