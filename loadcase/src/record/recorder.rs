//! Recording on the hot path without a shared lock or channel: every thread records into a shard
//! of its own, and the engine harvests the shards a few times a second.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::outcome::Outcome;
use crate::outcome::error::ProblemKind;
use crate::plan::log::LogFormat;
use crate::record::log::{LogBuffer, LogEntry, Spare};
use crate::record::redact::Redactor;
use crate::report::stats::Stats;

static NEXT_RUN: AtomicU64 = AtomicU64::new(1);

/// What the threads recorded since the last harvest.
#[derive(Default)]
pub(crate) struct Harvest {
    /// Everything, all tests together.
    pub stats: Stats,
    /// Each test's part, by its index in the mix, when the run has more than one test.
    pub by_test: Vec<Stats>,
    /// Requests to log, when the run logs them: their lines.
    pub log: LogBuffer,
}

/// What one thread recorded since the last harvest: one `Stats` per test of the mix.
#[derive(Default)]
struct ShardData {
    tests: Vec<Stats>,
    log: LogBuffer,
}

type Shard = Arc<Mutex<ShardData>>;

/// The shards of one run.
pub(crate) struct RunMetrics {
    id: u64,
    shards: Mutex<Vec<Shard>>,
    /// Set when requests are logged: the headers to redact, the file's format, and the memory
    /// the log's writer gives back.
    log: Option<(Redactor, LogFormat, Arc<Spare>)>,
}

thread_local! {
    // This thread's shard and the run it belongs to. The mutex inside is only ever contended by
    // the harvest, a few times a second.
    static SHARD: RefCell<Option<(u64, Shard)>> = const { RefCell::new(None) };
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while recording cannot leave Stats half-updated in a way that matters more than
    // losing the run, so poisoning is ignored.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One HTTP request, as the session saw it.
pub(crate) struct RequestRecord<'a> {
    pub name: &'a str,
    /// `None` when no response came (transport error).
    pub status: Option<u16>,
    /// Until the body was read or the request failed.
    pub total: Duration,
    /// `None` when no response came.
    pub ttfb: Option<Duration>,
    /// `None` when the body could not be read.
    pub ttlb: Option<Duration>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Got a response with a status the caller accepts.
    pub ok: bool,
}

/// A handle to record into the current run, on behalf of one test of its mix. Cheap to clone;
/// held by sessions, sockets, contexts.
#[derive(Clone)]
pub(crate) struct Recorder(Arc<RunMetrics>, usize);

impl Recorder {
    pub(crate) fn new() -> Self {
        Self::logging(None)
    }

    /// A recorder that also keeps every request for the log, if `log` is set.
    pub(crate) fn logging(log: Option<(Redactor, LogFormat, Arc<Spare>)>) -> Self {
        Recorder(
            Arc::new(RunMetrics {
                id: NEXT_RUN.fetch_add(1, Ordering::Relaxed),
                shards: Mutex::new(Vec::new()),
                log,
            }),
            0,
        )
    }

    /// The same run, recording on behalf of test `index` of the mix.
    pub(crate) fn for_test(&self, index: usize) -> Recorder {
        Recorder(self.0.clone(), index)
    }

    /// The redactor, when requests are logged.
    pub(crate) fn log(&self) -> Option<&Redactor> {
        self.0.log.as_ref().map(|(redactor, _, _)| redactor)
    }

    /// Keeps a request for the log, as its line.
    pub(crate) fn log_entry(&self, entry: &LogEntry<'_>) {
        if let Some((_, format, _)) = &self.0.log {
            self.with_shard(|shard| shard.log.push(entry, *format));
        }
    }

    /// Runs `f` on this thread's shard of this run.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Stats) -> R) -> R {
        let test = self.1;
        self.with_shard(|shard| {
            if shard.tests.len() <= test {
                shard.tests.resize_with(test + 1, Stats::default);
            }
            f(&mut shard.tests[test])
        })
    }

    fn with_shard<R>(&self, f: impl FnOnce(&mut ShardData) -> R) -> R {
        SHARD.with(|slot| {
            let mut slot = slot.borrow_mut();
            let current = matches!(&*slot, Some((id, _)) if *id == self.0.id);
            if !current {
                let shard = Shard::default();
                lock(&self.0.shards).push(shard.clone());
                *slot = Some((self.0.id, shard));
            }
            let (_, shard) = slot.as_ref().expect("set above");
            let mut harvest = lock(shard);
            f(&mut harvest)
        })
    }

    /// Takes what every shard recorded since the last harvest.
    #[cfg(test)]
    pub(crate) fn harvest(&self) -> Stats {
        self.harvest_all().stats
    }

    /// Takes what every shard recorded since the last harvest, log entries included.
    pub(crate) fn harvest_all(&self) -> Harvest {
        let shards: Vec<Shard> = lock(&self.0.shards).clone();
        let mut total = Harvest::default();
        let mut by_test: Vec<Stats> = Vec::new();
        for shard in shards {
            let (tests, mut log) = {
                let mut shard = lock(&shard);
                let log = match &self.0.log {
                    Some((_, _, spare)) => shard.log.take(spare),
                    None => LogBuffer::default(),
                };
                (std::mem::take(&mut shard.tests), log)
            };
            if by_test.len() < tests.len() {
                by_test.resize_with(tests.len(), Stats::default);
            }
            for (sum, stats) in by_test.iter_mut().zip(&tests) {
                sum.merge(stats);
            }
            total.log.append(&mut log);
        }
        if by_test.len() > 1 {
            for stats in &by_test {
                total.stats.merge(stats);
            }
            total.by_test = by_test;
        } else if let Some(only) = by_test.pop() {
            total.stats = only;
        }
        total
    }

    pub(crate) fn request(&self, r: &RequestRecord<'_>) {
        self.with(|stats| {
            let entry = stats.request_entry(r.name);
            entry.count += 1;
            entry.bytes_sent += r.bytes_sent;
            entry.bytes_received += r.bytes_received;
            if !r.ok {
                entry.errors += 1;
            }
            entry.time.record(r.total);
            if let Some(ttfb) = r.ttfb {
                entry.ttfb.record(ttfb);
            }
            if let Some(ttlb) = r.ttlb {
                entry.ttlb.record(ttlb);
            }
            if let Some(status) = r.status {
                *entry.statuses.entry(status).or_default() += 1;
                *stats.status_codes.entry(status).or_default() += 1;
            }
        });
    }

    /// A completed hit: its service time, and in the open model its time from when it was due.
    pub(crate) fn hit(
        &self,
        outcome: &Outcome,
        took: Duration,
        corrected: Option<Duration>,
        fallback_location: &str,
    ) {
        self.with(|stats| {
            stats.hits.time.record(took);
            if let Some(corrected) = corrected {
                stats.hits.corrected.record(corrected);
            }
            match outcome {
                Ok(()) => stats.hits.success += 1,
                Err(problem) => {
                    match problem.kind {
                        ProblemKind::Failure => stats.hits.failures += 1,
                        ProblemKind::Error => stats.hits.errors += 1,
                    }
                    let location = problem.location.as_deref().unwrap_or(fallback_location);
                    // Error texts quote URLs, and URLs may carry a password.
                    let message = crate::record::redact::passwords_in(&problem.message);
                    stats.add_problem(problem.kind, &message, Some(location), 1);
                }
            }
        });
    }

    /// A completed `setup` or `teardown` of a user; its problems are grouped with the hits',
    /// their message saying which it was.
    pub(crate) fn hook(
        &self,
        teardown: bool,
        outcome: &Outcome,
        took: Duration,
        fallback_location: &str,
    ) {
        self.with(|stats| {
            let hook = if teardown {
                &mut stats.teardown
            } else {
                &mut stats.setup
            };
            hook.time.record(took);
            let Err(problem) = outcome else {
                hook.success += 1;
                return;
            };
            match problem.kind {
                ProblemKind::Failure => hook.failures += 1,
                ProblemKind::Error => hook.errors += 1,
            }
            let location = problem.location.as_deref().unwrap_or(fallback_location);
            let which = if teardown { "teardown" } else { "setup" };
            let message = format!(
                "{which}: {}",
                crate::record::redact::passwords_in(&problem.message)
            );
            stats.add_problem(problem.kind, &message, Some(location), 1);
        });
    }

    pub(crate) fn incr(&self, name: &str, by: u64) {
        self.with(|stats| match stats.counters.get_mut(name) {
            Some(n) => *n += by,
            None => {
                stats.counters.insert(name.to_owned(), by);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harvest_collects_every_thread_once() {
        let rec = Recorder::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                let rec = rec.clone();
                s.spawn(move || {
                    for _ in 0..250 {
                        rec.request(&RequestRecord {
                            name: "GET /",
                            status: Some(200),
                            total: Duration::from_micros(10),
                            ttfb: Some(Duration::from_micros(5)),
                            ttlb: Some(Duration::from_micros(9)),
                            bytes_sent: 1,
                            bytes_received: 3,
                            ok: true,
                        });
                    }
                });
            }
        });
        let first = rec.harvest();
        assert_eq!(first.requests["GET /"].count, 1000);
        assert_eq!(first.requests["GET /"].bytes_received, 3000);
        assert_eq!(first.requests["GET /"].bytes_sent, 1000);
        assert_eq!(first.status_codes[&200], 1000);
        assert_eq!(
            rec.harvest().request_count(),
            0,
            "a harvest takes, it does not copy"
        );
    }

    #[test]
    fn runs_do_not_mix() {
        let (a, b) = (Recorder::new(), Recorder::new());
        a.incr("x", 1);
        b.incr("x", 5);
        a.incr("x", 1);
        assert_eq!(a.harvest().counters["x"], 2);
        assert_eq!(b.harvest().counters["x"], 5);
    }

    #[test]
    fn failed_requests_count_as_errors_and_each_time_counts_what_it_can() {
        let rec = Recorder::new();
        let record = |status: Option<u16>, ttlb, ok| RequestRecord {
            name: "GET /a",
            status,
            total: Duration::from_micros(3),
            ttfb: status.map(|_| Duration::from_micros(1)),
            ttlb,
            bytes_sent: 0,
            bytes_received: 0,
            ok,
        };
        rec.request(&record(None, None, false));
        rec.request(&record(Some(200), None, false));
        rec.request(&record(Some(503), Some(Duration::from_micros(2)), false));
        rec.request(&record(Some(404), Some(Duration::from_micros(2)), true));
        rec.request(&record(Some(200), Some(Duration::from_micros(2)), true));
        let stats = rec.harvest();
        let a = &stats.requests["GET /a"];
        assert_eq!(
            (a.count, a.errors, a.time.len(), a.ttfb.len(), a.ttlb.len()),
            (5, 3, 5, 4, 3)
        );
        assert_eq!(stats.status_codes.values().sum::<u64>(), 4);
        // Each name's responses by status, for exporters that label requests by status.
        assert_eq!(a.statuses, [(200, 2), (404, 1), (503, 1)].into());
    }
}
