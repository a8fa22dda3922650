//! How many virtual users are active: now, for the progress display, and at most since the last
//! harvest, for the per-second series. A sample taken at each harvest misses every user that
//! came and went between two of them — a run shorter than a harvest showed none at all, and the
//! last harvest of a run, when every user is done, showed its final second empty.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub(super) struct ActiveUsers {
    now: AtomicU64,
    peak: AtomicU64,
}

impl ActiveUsers {
    /// Counts one more user active until the guard is dropped.
    pub(super) fn enter(&self) -> Active<'_> {
        let now = self.now.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
        Active(self)
    }

    /// Users active at this moment.
    pub(super) fn now(&self) -> u64 {
        self.now.load(Ordering::Relaxed)
    }

    /// The most users active at once since the previous call (or the start), and from here on
    /// counting again from those active now.
    pub(super) fn take_peak(&self) -> u64 {
        let now = self.now();
        self.peak.swap(now, Ordering::Relaxed).max(now)
    }
}

/// One active user; dropping it (the user's task ended, or was dropped) counts it out.
pub(super) struct Active<'a>(&'a ActiveUsers);

impl Drop for Active<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_keeps_users_that_came_and_went_between_two_harvests() {
        let users = ActiveUsers::default();
        {
            let _a = users.enter();
            let _b = users.enter();
            let _c = users.enter();
        }
        assert_eq!(users.now(), 0);
        assert_eq!(users.take_peak(), 3, "three were active at once");
        assert_eq!(users.take_peak(), 0, "none since");
        let _d = users.enter();
        assert_eq!(users.take_peak(), 1);
        assert_eq!(
            users.take_peak(),
            1,
            "still active: counted in the next interval too"
        );
    }
}
