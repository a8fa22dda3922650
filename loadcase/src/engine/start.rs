//! `--start-at`: the segments of a run start together without a coordinator. Each gets ready,
//! then waits for the agreed instant; one ready too late runs nothing rather than run late
//! (k6-operator's restarted runners wait forever for a start signal that never comes again).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::control::Control;
use crate::plan::model::{Plan, START_GRACE};

/// How the wait for the start ended.
pub(super) enum Start {
    /// No start time: at once.
    Now,
    /// At the start time, this many seconds late.
    Skewed(f64),
    /// Ready later than the start time and its grace: why, for the report.
    Missed(String),
    /// Stopped while waiting.
    Stopped,
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Waits, on `runtime`, for the plan's start time, unless `control` stops the run first.
pub(super) fn wait(plan: &Plan, control: &Control, runtime: &tokio::runtime::Runtime) -> Start {
    let Some(at_ms) = plan.start_at_unix_ms else {
        return Start::Now;
    };
    let at = Duration::from_millis(at_ms);
    let now = unix_now();
    if now > at + START_GRACE {
        return Start::Missed(format!(
            "ready {:.1}s after --start-at, later than its {}s grace, so it ran nothing: the other segments started without it",
            (now - at).as_secs_f64(),
            START_GRACE.as_secs()
        ));
    }
    let stopped = runtime.block_on(async {
        tokio::select! {
            _ = tokio::time::sleep(at.saturating_sub(now)) => false,
            _ = control.stopped() => true,
        }
    });
    if stopped {
        return Start::Stopped;
    }
    Start::Skewed(unix_now().saturating_sub(at).as_secs_f64())
}
