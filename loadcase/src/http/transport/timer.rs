//! A user's request timer, kept from one request to the next. A new timer per request is an
//! entry put into tokio's timer wheel (behind its lock) and taken out again; the kept one is
//! reset instead, and a reset to a later deadline — the next request's, with the same timeout —
//! is one atomic store: the wheel finds the entry not yet due when the old deadline comes, and
//! files it again.

use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use tokio::time::Sleep;

/// Where a user's timer waits between its requests.
#[derive(Default)]
pub(super) struct Timers(Mutex<Option<Pin<Box<Sleep>>>>);

impl Timers {
    /// A timer set to `deadline`: the kept one, or a new one while it is in use (by another of
    /// the user's requests at the same time).
    pub(super) fn lease(&self, deadline: Instant) -> Lease<'_> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        let timer = match kept {
            Some(mut timer) => {
                timer.as_mut().reset(deadline.into());
                timer
            }
            None => Box::pin(tokio::time::sleep_until(deadline.into())),
        };
        Lease {
            timers: self,
            timer: Some(timer),
        }
    }
}

/// A timer in use by one request; given back when the request ends, however it ends.
pub(super) struct Lease<'a> {
    timers: &'a Timers,
    timer: Option<Pin<Box<Sleep>>>,
}

impl Lease<'_> {
    pub(super) fn as_mut(&mut self) -> Pin<&mut Sleep> {
        self.timer.as_mut().expect("held until dropped").as_mut()
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut kept = self.timers.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.is_none() {
            *kept = self.timer.take();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_kept_timer_fires_at_its_new_deadline_earlier_or_later() {
        let timers = Timers::default();
        let start = Instant::now();
        {
            let mut lease = timers.lease(start + Duration::from_millis(50));
            lease.as_mut().await;
            assert!(start.elapsed() >= Duration::from_millis(50));
        }
        // The kept one again, set later, then earlier.
        let later = Instant::now() + Duration::from_secs(60);
        {
            let mut lease = timers.lease(later);
            let sooner = tokio::time::timeout(Duration::from_millis(10), lease.as_mut()).await;
            assert!(sooner.is_err(), "not due for a minute");
        }
        let soon = Instant::now() + Duration::from_millis(20);
        let mut lease = timers.lease(soon);
        tokio::time::timeout(Duration::from_secs(5), lease.as_mut())
            .await
            .expect("it fires at the earlier deadline, not the minute set before");
        assert!(Instant::now() >= soon);
        // Another request at the same time gets a timer of its own.
        let mut other = timers.lease(Instant::now() + Duration::from_millis(5));
        other.as_mut().await;
        drop(other);
        drop(lease);
        assert!(timers.0.lock().unwrap().is_some(), "one is kept");
    }
}
