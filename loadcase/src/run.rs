//! [`Run`]: a load running in this process, watched and steered from outside — started, its
//! progress and cumulative snapshots streamed, stopped, its final report collected. What
//! [`run`](crate::run) does, without blocking the caller.

use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::control::{Control, Progress};
use crate::plan::model::Plan;
use crate::report::model::Report;
use crate::test::Test;

/// How often a [`Run`] sends a snapshot, in progress ticks (a tick is a quarter of a second).
const SNAPSHOT_EVERY: u32 = 4;

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
    thread: JoinHandle<Report>,
}

impl Run {
    /// Starts `tests` (with their weights, as [`run_mix`](crate::run_mix) takes them) on
    /// `plan`, on a new thread.
    pub fn start(tests: Vec<(Test, u32)>, plan: Plan) -> Run {
        let control = Control::default();
        let (tx, events) = mpsc::channel();
        let stopper = control.clone();
        let thread = std::thread::Builder::new()
            .name("loadcase-run".into())
            .spawn(move || {
                let mix: Vec<(&Test, u32)> = tests.iter().map(|(t, w)| (t, *w)).collect();
                let mut ticks = 0u32;
                crate::engine::run_mix(&mix, &plan, &stopper, &mut |progress, so_far| {
                    ticks += 1;
                    // Nobody listening is no reason to stop: the report is still collected.
                    let _ = tx.send(Event::Progress(progress.clone()));
                    if ticks.is_multiple_of(SNAPSHOT_EVERY) {
                        let _ = tx.send(Event::Snapshot(Box::new(so_far.clone())));
                    }
                })
            })
            .expect("loadcase: cannot start the run's thread");
        Run {
            control,
            events,
            thread,
        }
    }

    /// The next event, waiting at most `timeout`; `None` once the run has ended (and every
    /// event was taken) or when nothing came in time.
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
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
