//! Ctrl-C (and SIGTERM, SIGHUP): counted here, acted on by whoever is running. The test binary
//! runs in its own process group, so a Ctrl-C reaches only the runner, which relays it: the
//! first asks the run to stop, the second kills the test binary.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Ctrl-C presses since the runner started.
static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);

/// Counts every Ctrl-C from now on.
pub fn install() {
    // Without a handler (one already set, or no signals here) Ctrl-C ends the runner at once,
    // which still leaves nothing half-written: reports are written through a rename.
    let _ = ctrlc::set_handler(|| {
        INTERRUPTS.fetch_add(1, Ordering::Relaxed);
    });
}

/// How many times Ctrl-C was pressed.
pub fn interrupts() -> usize {
    INTERRUPTS.load(Ordering::Relaxed)
}

/// Interrupted before the test binary started measuring.
#[derive(Debug, thiserror::Error)]
#[error("stopped before the load started")]
pub struct Interrupted;
