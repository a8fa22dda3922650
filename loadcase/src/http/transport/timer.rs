//! A user's request timer, kept from one request to the next. A new timer per request is an
//! entry put into tokio's timer wheel (behind its lock) and taken out again; the kept one is
//! reset instead, and a reset to a later deadline — the next request's, with the same timeout —
//! is one atomic store: the wheel finds the entry not yet due when the old deadline comes, and
//! files it again.
//!
//! A timer belongs to the runtime it was made on: the kept one is used again only on the thread
//! it was made on (a worker thread runs one runtime for the whole run), so that a session used
//! from another runtime never polls a timer of one that may have shut down.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use tokio::time::Sleep;

/// Where a user's timer waits between its requests, with the thread it was made on.
#[derive(Default)]
pub(super) struct Timers(Mutex<Option<(u64, Pin<Box<Sleep>>)>>);

/// This thread's number: unlike a `ThreadId`, read without a clone of the thread's handle.
fn thread() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local!(static THIS: u64 = NEXT.fetch_add(1, Ordering::Relaxed));
    THIS.with(|this| *this)
}

impl Timers {
    /// A timer set to `deadline`: the kept one, or a new one while it is in use (by another of
    /// the user's requests at the same time).
    pub(super) fn lease(&self, deadline: Instant) -> Lease<'_> {
        let here = thread();
        let kept = {
            let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            match &*kept {
                Some((made_on, _)) if *made_on == here => kept.take(),
                _ => None,
            }
        };
        let timer = match kept {
            Some((_, mut timer)) => {
                timer.as_mut().reset(deadline.into());
                timer
            }
            None => Box::pin(tokio::time::sleep_until(deadline.into())),
        };
        Lease {
            timers: self,
            timer: Some((here, timer)),
        }
    }
}

/// A timer in use by one request; given back when the request ends, however it ends.
pub(super) struct Lease<'a> {
    timers: &'a Timers,
    timer: Option<(u64, Pin<Box<Sleep>>)>,
}

impl Lease<'_> {
    pub(super) fn as_mut(&mut self) -> Pin<&mut Sleep> {
        self.timer.as_mut().expect("held until dropped").1.as_mut()
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

    #[test]
    fn a_timer_made_on_another_thread_is_not_used_again() {
        let timers = Timers::default();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    let mut lease = timers.lease(Instant::now());
                    lease.as_mut().await;
                });
                // That runtime is gone; its timer is still kept.
            });
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        // Polling the other runtime's timer would panic: its driver shut down.
        runtime.block_on(async {
            let mut lease = timers.lease(Instant::now() + Duration::from_millis(5));
            lease.as_mut().await;
        });
    }
}
