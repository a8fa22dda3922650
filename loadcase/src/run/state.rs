//! What a [`Run`](super::Run)'s thread publishes for its watchers to read whenever they like:
//! the newest progress, the newest cumulative snapshot and, once ended, the final report. Kept
//! apart from the event queue so that nobody has to drain events to see where the run is.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use crate::control::Progress;
use crate::report::model::Report;

/// The reports of a run, behind a watch channel: [`Snapshots`](super::Snapshots) wake on its
/// changes, and its sender is dropped when the run's thread ends (normally or by a panic).
#[derive(Default)]
pub(super) struct Reports {
    /// The newest cumulative snapshot.
    pub(super) snapshot: Option<Arc<Report>>,
    /// The final report, once the run has ended.
    pub(super) last: Option<Arc<Report>>,
}

impl Reports {
    /// The final report if there is one, else the newest snapshot.
    pub(super) fn newest(&self) -> Option<&Arc<Report>> {
        self.last.as_ref().or(self.snapshot.as_ref())
    }
}

/// The run thread's side: where it publishes.
pub(super) struct Publisher {
    reports: watch::Sender<Reports>,
    progress: Arc<Mutex<Option<Progress>>>,
}

/// A watcher's side: what [`Run::latest`](super::Run::latest) and
/// [`Run::progress`](super::Run::progress) read, and what each [`Snapshots`](super::Snapshots)
/// subscribes to.
pub(super) struct Watched {
    reports: watch::Receiver<Reports>,
    progress: Arc<Mutex<Option<Progress>>>,
}

/// A publisher and its watcher, nothing published yet.
pub(super) fn channel() -> (Publisher, Watched) {
    let (reports, receiver) = watch::channel(Reports::default());
    let progress = Arc::new(Mutex::new(None));
    let watched = Watched {
        reports: receiver,
        progress: progress.clone(),
    };
    (Publisher { reports, progress }, watched)
}

impl Publisher {
    pub(super) fn progress(&self, progress: &Progress) {
        *self.progress.lock().unwrap_or_else(PoisonError::into_inner) = Some(progress.clone());
    }

    pub(super) fn snapshot(&self, so_far: Arc<Report>) {
        self.reports.send_modify(|r| r.snapshot = Some(so_far));
    }

    pub(super) fn last(&self, report: Arc<Report>) {
        self.reports.send_modify(|r| r.last = Some(report));
    }
}

impl Watched {
    pub(super) fn latest(&self) -> Option<Report> {
        self.reports.borrow().newest().map(|r| Report::clone(r))
    }

    pub(super) fn progress(&self) -> Option<Progress> {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A receiver of its own, for one more [`Snapshots`](super::Snapshots).
    pub(super) fn subscribe(&self) -> watch::Receiver<Reports> {
        self.reports.clone()
    }
}
