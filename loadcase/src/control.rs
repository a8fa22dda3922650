//! Watching and stopping a run from outside: [`Control`], the handle that stops it, and
//! [`Progress`], the counters a display shows while it runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// Counters for a progress display.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Seconds since the run started.
    pub elapsed_secs: f64,
    /// Current stage, from 1.
    pub stage: usize,
    /// Number of stages.
    pub stages: usize,
    /// Seconds since the current stage started.
    pub stage_elapsed_secs: f64,
    /// Users running now.
    pub active_users: u64,
    /// Completed hits.
    pub hits: u64,
    /// Hits that succeeded.
    pub success: u64,
    /// Hits that ended in an error.
    pub errors: u64,
    /// Hits that ended in a failure.
    pub failures: u64,
    /// HTTP requests sent.
    pub requests: u64,
    /// Open model: hits that were due but could not start.
    #[serde(default)]
    pub dropped: u64,
    /// Hits the plan will run, in hits mode.
    pub planned_hits: Option<u64>,
    /// Seconds the plan will last, in duration mode.
    pub planned_secs: Option<f64>,
}

/// Stops a run from outside: from another thread, a signal handler, the runner's `stop`.
#[derive(Clone)]
pub struct Control(Arc<ControlInner>);

struct ControlInner {
    // The flag is what users check before each hit; the channel is what the engine awaits.
    stopped: AtomicBool,
    wake: watch::Sender<bool>,
    reason: std::sync::Mutex<Option<String>>,
}

impl Default for Control {
    fn default() -> Self {
        Control(Arc::new(ControlInner {
            stopped: AtomicBool::new(false),
            wake: watch::Sender::new(false),
            reason: std::sync::Mutex::new(None),
        }))
    }
}

impl Control {
    /// Asks the run to stop: no new hits start; running ones get 2 seconds to finish, then are cancelled.
    pub fn stop(&self) {
        self.0.stopped.store(true, Ordering::Relaxed);
        self.0.wake.send_replace(true);
    }

    /// Stops the run as [`stop`](Self::stop) does, and says why: the report's
    /// [`stop_reason`](crate::Report::stop_reason). The first reason given is kept.
    pub fn stop_because(&self, reason: impl Into<String>) {
        let mut kept = self
            .0
            .reason
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.is_none() {
            *kept = Some(reason.into());
        }
        drop(kept);
        self.stop();
    }

    /// Why the run was stopped, if [`stop_because`](Self::stop_because) said.
    pub fn reason(&self) -> Option<String> {
        self.0
            .reason
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        self.0.stopped.load(Ordering::Relaxed)
    }

    /// Resolves once the run is stopped.
    pub(crate) async fn stopped(&self) {
        let mut rx = self.0.wake.subscribe();
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}
