//! [`Snapshots`]: a [`Run`](super::Run)'s cumulative reports at an interval of the caller's
//! choosing, as an async loop — the Load Impact SDK's `for data in stream(poll_rate=3)`.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::state::Reports;
use crate::report::model::Report;

/// One report taken from [`Snapshots::next`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Snapshot {
    /// Everything measured up to this moment (cumulative, as [`Event::Snapshot`](super::Event)'s
    /// report), or the run's final report when [`is_final`](Self::is_final).
    pub report: Report,
    /// Whether the run has ended and this is its final report, the one
    /// [`Run::wait`](super::Run::wait) returns. It comes once, last.
    pub is_final: bool,
}

/// A [`Run`](super::Run)'s cumulative reports every `every`, from
/// [`Run::snapshots`](super::Run::snapshots); see there.
///
/// It is not a `futures::Stream` itself (the wait it does is async code, not a poll); where one
/// is wanted, `unfold` makes it:
///
/// ```
/// use std::time::Duration;
/// use futures_util::StreamExt;
/// use loadcase::{Context, Plan, Run, Test};
///
/// let test = Test::new("doc::unfold", async |cx: &mut Context| cx.incr("hits"));
/// let run = Run::start(vec![(test, 1)], "-u 2 -c 3".parse::<Plan>().unwrap());
/// let snapshots = run.snapshots(Duration::from_millis(100));
/// let stream = futures_util::stream::unfold(snapshots, async |mut s| Some((s.next().await?, s)));
/// let runtime = tokio::runtime::Runtime::new().unwrap();
/// let seen: Vec<_> = runtime.block_on(stream.collect());
/// assert!(seen.last().unwrap().is_final);
/// assert_eq!(run.wait().stats.counters["hits"], 6);
/// ```
pub struct Snapshots {
    reports: watch::Receiver<Reports>,
    every: Duration,
    first: Instant,
    // Made at the first `next`, inside the caller's runtime: a tokio timer cannot be made outside
    // one, and `snapshots` may be called anywhere.
    interval: Option<Interval>,
    done: bool,
}

impl Snapshots {
    pub(super) fn new(reports: watch::Receiver<Reports>, every: Duration) -> Snapshots {
        assert!(
            !every.is_zero(),
            "loadcase: Run::snapshots needs an interval above zero"
        );
        Snapshots {
            reports,
            every,
            first: Instant::now() + every,
            interval: None,
            done: false,
        }
    }

    /// Waits for the next interval and gives the newest cumulative snapshot; once the run has
    /// ended, gives its final report (with [`is_final`](Snapshot::is_final)) at once rather
    /// than at the next interval, then `None`.
    ///
    /// The run takes a snapshot every second: with `every` shorter than that, two calls may give
    /// the same one. A call made before the first snapshot exists waits for it. `None` also
    /// comes, without a final report, when the run's thread panicked.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime with its time driver enabled (`enable_time`, or `enable_all`).
    pub async fn next(&mut self) -> Option<Snapshot> {
        if self.done {
            return None;
        }
        let (every, first) = (self.every, self.first);
        let interval = self.interval.get_or_insert_with(|| {
            let mut interval = tokio::time::interval_at(first, every);
            // A slow consumer gets the newest snapshot, not a burst of catching-up ticks.
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        });
        tokio::select! {
            _ = interval.tick() => {}
            // Also a closed channel: the run's thread is gone.
            _ = self.reports.wait_for(|r| r.last.is_some()) => {}
        }
        let Ok(reports) = self
            .reports
            .wait_for(|r| r.snapshot.is_some() || r.last.is_some())
            .await
        else {
            self.done = true;
            return None;
        };
        let is_final = reports.last.is_some();
        let report = reports.newest().map(|r| Report::clone(r));
        drop(reports);
        self.done = is_final;
        report.map(|report| Snapshot { report, is_final })
    }
}
