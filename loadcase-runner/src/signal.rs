//! Ctrl-C (and SIGTERM, SIGHUP): counted here, acted on by whoever is running. The test binary
//! runs in its own process group, so a Ctrl-C reaches only the runner, which relays it: the
//! first asks the run to stop, the second kills the test binary.
//!
//! Signals that arrive within [`SAME_INTERRUPTION`] of the first of a burst count once: `timeout
//! -s INT` signals the runner and then its whole process group, so the runner gets the same
//! SIGINT twice at once, which is one request to stop, not a double Ctrl-C.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Signals this close to the one that started an interruption are the same interruption.
pub const SAME_INTERRUPTION: Duration = Duration::from_millis(300);

/// Interruptions since the runner started.
static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);

/// When the last counted interruption began.
static LAST: Mutex<Option<Instant>> = Mutex::new(None);

/// Counts every Ctrl-C from now on.
pub fn install() {
    // Without a handler (one already set, or no signals here) Ctrl-C ends the runner at once,
    // which still leaves nothing half-written: reports are written through a rename.
    let _ = ctrlc::set_handler(|| {
        // ctrlc calls this on a thread of its own, not in the signal handler: locking is fine.
        let mut last = LAST
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if counts(&mut last, Instant::now()) {
            INTERRUPTS.fetch_add(1, Ordering::Relaxed);
        }
    });
}

/// Whether a signal at `now` is a new interruption, given when the last one began.
fn counts(last: &mut Option<Instant>, now: Instant) -> bool {
    let new = last.is_none_or(|at| now.saturating_duration_since(at) >= SAME_INTERRUPTION);
    if new {
        *last = Some(now);
    }
    new
}

/// How many times the run was interrupted (Ctrl-C pressed, a signal burst received).
pub fn interrupts() -> usize {
    INTERRUPTS.load(Ordering::Relaxed)
}

/// Interrupted before the test binary started measuring.
#[derive(Debug, thiserror::Error)]
#[error("stopped before the load started")]
pub struct Interrupted;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_signals_is_one_interruption_and_a_later_one_is_another() {
        let start = Instant::now();
        let mut last = None;
        let at = |ms| start + Duration::from_millis(ms);
        // `timeout -s INT`: the runner, then its group, microseconds apart.
        assert!(counts(&mut last, at(0)));
        assert!(!counts(&mut last, at(0)));
        assert!(!counts(&mut last, at(299)));
        // A second Ctrl-C pressed after reading "Ctrl-C again to kill".
        assert!(counts(&mut last, at(800)));
        assert!(!counts(&mut last, at(900)));
        assert!(counts(&mut last, at(1100)));
    }
}
