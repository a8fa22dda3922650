//! [`Run`]: a load running in this process, watched and steered from outside — started, its
//! progress and cumulative snapshots read or streamed, stopped, its final report collected. What
//! [`run`](crate::run) does, without blocking the caller.

mod snapshots;
mod state;

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;
use std::time::Duration;

pub use snapshots::{Snapshot, Snapshots};

use crate::control::{Control, Progress};
use crate::plan::model::Plan;
use crate::report::model::Report;
use crate::test::Test;

/// How often a [`Run`] takes a snapshot, in progress ticks (a tick is a quarter of a second).
const SNAPSHOT_EVERY: u32 = 4;

/// How many events wait for [`Run::next_event`]: about a minute of them (five a second).
const EVENTS_KEPT: usize = 256;

/// What a [`Run`] tells as it goes.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Event {
    /// The counters of the moment, a few times a second.
    Progress(Progress),
    /// Everything measured so far, every second: cumulative, so that rates computed from two
    /// snapshots are true whenever one starts watching.
    Snapshot(Box<Report>),
}

/// A load running on a thread of its own.
///
/// Watch it by polling [`latest`](Self::latest) and [`progress`](Self::progress), by an async
/// stream of [`snapshots`](Self::snapshots) at an interval of your choosing, or event by event
/// with [`next_event`](Self::next_event); [`stop`](Self::stop) it from anywhere; collect the
/// final report with [`wait`](Self::wait). As the Load Impact SDK's
/// `for data in test.stream(poll_rate=3)`:
///
/// ```
/// use std::time::Duration;
/// use loadcase::{Context, Plan, Run, Test};
///
/// let test = Test::new("doc::stream", async |cx: &mut Context| cx.incr("hits"));
/// let plan: Plan = "-u 2 -d 2s --think 10ms".parse().unwrap();
/// let run = Run::start(vec![(test, 1)], plan);
/// let runtime = tokio::runtime::Runtime::new().unwrap();
/// runtime.block_on(async {
///     let mut stream = run.snapshots(Duration::from_millis(500)); // poll_rate=3 in the SDK; shorter here
///     while let Some(data) = stream.next().await {
///         let hits = data.report.stats.hits.total();
///         println!("{:.1}s: {hits} hits, final: {}", data.report.elapsed_secs, data.is_final);
///         if data.report.elapsed_secs > 1.0 {
///             run.stop();
///         }
///     }
/// });
/// let report = run.wait();
/// assert!(report.interrupted);
/// assert!(report.stats.counters["hits"] > 0);
/// ```
///
/// Or event by event, without an async runtime:
///
/// ```
/// use loadcase::{Context, Event, Plan, Run, Test};
///
/// let test = Test::new("doc::idle", async |cx: &mut Context| cx.incr("hits"));
/// let plan: Plan = "-u 2 -d 2s --think 10ms".parse().unwrap();
/// let run = Run::start(vec![(test, 1)], plan);
/// let mut snapshots = 0;
/// while let Some(event) = run.next_event(std::time::Duration::from_secs(5)) {
///     if let Event::Snapshot(so_far) = event {
///         snapshots += 1;
///         if so_far.elapsed_secs > 1.0 {
///             run.stop();
///         }
///     }
/// }
/// let report = run.wait();
/// assert!(report.interrupted && snapshots >= 1);
/// assert!(report.stats.counters["hits"] > 0);
/// ```
pub struct Run {
    control: Control,
    events: Receiver<Event>,
    watched: state::Watched,
    thread: JoinHandle<Report>,
}

impl Run {
    /// Starts `tests` (with their weights, as [`run_mix`](crate::run_mix) takes them) on
    /// `plan`, on a new thread.
    ///
    /// # Panics
    ///
    /// When the operating system cannot start a thread.
    pub fn start(tests: Vec<(Test, u32)>, plan: Plan) -> Run {
        let control = Control::default();
        let (tx, events) = mpsc::sync_channel(EVENTS_KEPT);
        let (publisher, watched) = state::channel();
        let stopper = control.clone();
        let thread = std::thread::Builder::new()
            .name("loadcase-run".into())
            .spawn(move || {
                let mix: Vec<(&Test, u32)> = tests.iter().map(|(t, w)| (t, *w)).collect();
                let mut ticks = 0u32;
                let report =
                    crate::engine::run_mix(&mix, &plan, &stopper, &mut |progress, so_far| {
                        ticks += 1;
                        publisher.progress(progress);
                        // A full queue or nobody listening is no reason to stop: the report is
                        // still collected.
                        let _ = tx.try_send(Event::Progress(progress.clone()));
                        if ticks.is_multiple_of(SNAPSHOT_EVERY) {
                            let so_far = Arc::new(so_far.clone());
                            let _ = tx.try_send(Event::Snapshot(Box::new(Report::clone(&so_far))));
                            publisher.snapshot(so_far);
                        }
                    });
                publisher.last(Arc::new(report.clone()));
                report
            })
            .expect("loadcase: cannot start the run's thread");
        Run {
            control,
            events,
            watched,
            thread,
        }
    }

    /// The next event, waiting at most `timeout`; `None` once the run has ended (and every
    /// event was taken) or when nothing came in time.
    ///
    /// Events not taken wait, about a minute of them at most: past that the newer ones are
    /// dropped, so that a run nobody takes events from does not grow in memory.
    /// [`latest`](Self::latest), [`snapshots`](Self::snapshots) and [`wait`](Self::wait) do
    /// not depend on them.
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// The newest cumulative snapshot (taken every second), or the final report once the run
    /// has ended; `None` before the first snapshot.
    pub fn latest(&self) -> Option<Report> {
        self.watched.latest()
    }

    /// The newest progress counters (a few times a second); `None` before the first.
    pub fn progress(&self) -> Option<Progress> {
        self.watched.progress()
    }

    /// The run's cumulative snapshots every `every`, as an async loop of
    /// [`Snapshots::next`]: the first after `every`, each the newest at that moment; then,
    /// as soon as the run ends, its final report once (marked
    /// [`is_final`](Snapshot::is_final)), then `None`.
    ///
    /// Each call makes a stream of its own, independent of the others and of the events; a
    /// stream goes on after [`wait`](Self::wait) took the run. Its `next` needs a tokio runtime
    /// with time enabled (any: the run has its own).
    ///
    /// # Panics
    ///
    /// When `every` is zero.
    pub fn snapshots(&self, every: Duration) -> Snapshots {
        Snapshots::new(self.watched.subscribe(), every)
    }

    /// Whether the run has ended (its final report is ready for [`wait`](Self::wait)).
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Stops the run as Ctrl-C does: no new hits; running ones get a grace period to finish.
    pub fn stop(&self) {
        self.control.stop();
    }

    /// The run's [`Control`], to stop it from elsewhere (another thread, a signal handler).
    pub fn control(&self) -> &Control {
        &self.control
    }

    /// Waits for the end, and returns the final report.
    ///
    /// # Panics
    ///
    /// When the engine panicked, with its panic.
    pub fn wait(self) -> Report {
        match self.thread.join() {
            Ok(report) => report,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}
