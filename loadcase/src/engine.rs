//! The load engine: a tokio multi-thread runtime, one task per virtual user, stages one after
//! another, metrics harvested from per-thread shards a few times a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::error::ProblemKind;
use crate::metrics::{Harvest, Recorder};
use crate::plan::{Length, Plan};
use crate::redact::Redactor;
use crate::registry::{HitFn, LoadTest};
use crate::report::{REPORT_SCHEMA, Report};
use crate::request_log::LogWriter;

/// How often progress is reported and shards harvested.
pub const TICK: Duration = Duration::from_millis(250);
/// In duration mode, how long hits still running at the end of a stage may take to finish
/// before they are cancelled (and counted in [`HitStats::cancelled`](crate::report::HitStats)).
pub const STAGE_GRACE: Duration = Duration::from_secs(5);
/// After a stop, how long running hits may take to finish before they are cancelled.
pub const STOP_GRACE: Duration = Duration::from_secs(2);
/// After hits were cancelled, how long before those that did not stop (they never yield to the
/// runtime) are abandoned, so that the run still ends.
pub const ABANDON_AFTER: Duration = Duration::from_secs(1);

/// Counters for a progress display.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Seconds since the run started.
    pub elapsed_secs: f64,
    /// Current stage, from 1.
    pub stage: usize,
    /// Number of stages.
    pub stages: usize,
    /// Seconds since the current stage started.
    pub stage_elapsed_secs: f64,
    /// Users running now.
    pub active_users: u64,
    /// Completed hits.
    pub hits: u64,
    /// Hits that succeeded.
    pub success: u64,
    /// Hits that ended in an error.
    pub errors: u64,
    /// Hits that ended in a failure.
    pub failures: u64,
    /// HTTP requests sent.
    pub requests: u64,
    /// Hits the plan will run, in hits mode.
    pub planned_hits: Option<u64>,
    /// Seconds the plan will last, in duration mode.
    pub planned_secs: Option<f64>,
}

/// Stops a run from outside: from another thread, a signal handler, the runner's `stop`.
#[derive(Clone)]
pub struct Control(Arc<ControlInner>);

struct ControlInner {
    // The flag is what users check before each hit; the channel is what the engine awaits.
    stopped: AtomicBool,
    wake: watch::Sender<bool>,
}

impl Default for Control {
    fn default() -> Self {
        Control(Arc::new(ControlInner {
            stopped: AtomicBool::new(false),
            wake: watch::Sender::new(false),
        }))
    }
}

impl Control {
    /// Asks the run to stop: no new hits start; running ones get [`STOP_GRACE`] to finish.
    pub fn stop(&self) {
        self.0.stopped.store(true, Ordering::Relaxed);
        self.0.wake.send_replace(true);
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        self.0.stopped.load(Ordering::Relaxed)
    }

    async fn stopped(&self) {
        let mut rx = self.0.wake.subscribe();
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

mod user;

/// Wakes the engine every [`TICK`] from a thread of its own: tokio's timers are driven by the
/// worker threads, and a stage must still end when every worker is stuck in a hit that never
/// yields.
struct Ticker {
    wake: Arc<tokio::sync::Notify>,
    done: Arc<AtomicBool>,
}

impl Ticker {
    fn start(every: Duration) -> Ticker {
        let wake = Arc::new(tokio::sync::Notify::new());
        let done = Arc::new(AtomicBool::new(false));
        let (thread_wake, thread_done) = (wake.clone(), done.clone());
        std::thread::Builder::new()
            .name("loadcase-ticker".into())
            .spawn(move || {
                while !thread_done.load(Ordering::Relaxed) {
                    std::thread::sleep(every);
                    // A stored permit if nobody waits: no tick is lost.
                    thread_wake.notify_one();
                }
            })
            .expect("loadcase: cannot start the ticker thread");
        Ticker { wake, done }
    }

    async fn tick(&self) {
        self.wake.notified().await;
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

use user::Slot;

struct Shared {
    hit: HitFn,
    rec: Recorder,
    server_url: Option<String>,
    control: Control,
    active: AtomicU64,
    location: String,
}

/// Server URL precedence: the plan (`--server-url`), then `LOADCASE_SERVER_URL`, then the
/// attribute.
pub fn resolve_server_url(plan_url: Option<&str>, test: &LoadTest) -> Option<String> {
    plan_url
        .map(str::to_owned)
        .or_else(|| {
            std::env::var(crate::protocol::env::SERVER_URL)
                .ok()
                .filter(|u| !u.is_empty())
        })
        .or_else(|| test.server_url.map(str::to_owned))
}

/// Worker threads of a run: `LOADCASE_WORKER_THREADS`, or one per core.
pub fn worker_threads() -> Result<usize, String> {
    let cores = || std::thread::available_parallelism().map_or(1, usize::from);
    match std::env::var(crate::protocol::env::WORKER_THREADS) {
        Err(_) => Ok(cores()),
        Ok(text) if text.is_empty() => Ok(cores()),
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "LOADCASE_WORKER_THREADS: `{text}` is not a number of threads; give a whole number of at least 1, or unset it for one per core"
            )),
        },
    }
}

/// Runs `plan` of `test` to the end or until `control` stops it, calling `observer` every
/// [`TICK`] with progress and the report so far, and returns the final report.
///
/// This is loadcase without the runner: a plan in, a report out.
///
/// # Panics
///
/// It builds and blocks on a runtime of its own, so it panics when called from inside a tokio
/// runtime (a `#[tokio::test]`, say): call it from synchronous code or `spawn_blocking`.
///
/// ```
/// use loadcase::engine::{self, Control};
/// use loadcase::registry::{HitFuture, LoadTest};
/// use loadcase::{Context, IntoOutcome, Plan};
///
/// fn hit(cx: &mut Context) -> HitFuture<'_> {
///     Box::pin(async move {
///         cx.incr("hits seen");
///         ().into_outcome()
///     })
/// }
///
/// let test = LoadTest {
///     module_path: "doc",
///     name: "hit",
///     file: file!(),
///     line: line!(),
///     server_url: None,
///     thresholds: &[],
///     hit,
/// };
/// let plan = Plan::parse(Some("10:20"), Some("5"), None).unwrap();
/// let report = engine::run(&test, &plan, &Control::default(), &mut |_progress, _so_far| {});
/// assert_eq!(report.stats.hits.success, 150);
/// assert_eq!(report.stats.counters["hits seen"], 150);
/// ```
pub fn run(
    test: &LoadTest,
    plan: &Plan,
    control: &Control,
    observer: &mut dyn FnMut(&Progress, &Report),
) -> Report {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads().unwrap_or_else(|message| {
            // The runner checks this before starting anything; a direct caller hears it here.
            eprintln!("loadcase: {message}; using one per core");
            std::thread::available_parallelism().map_or(1, usize::from)
        }))
        .thread_name("loadcase-worker")
        .enable_all()
        .build()
        .expect("loadcase: cannot start the tokio runtime");
    let started_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut report = Report {
        schema: REPORT_SCHEMA,
        test: test.path(),
        started_unix_ms,
        plan: Some(plan.clone()),
        thresholds: test.thresholds.iter().map(|t| (*t).to_owned()).collect(),
        ..Report::default()
    };
    let (log, redactor) = match &plan.log {
        None => (None, None),
        Some(spec) => match LogWriter::start(spec) {
            Ok(writer) => (Some(writer), Some(Redactor::new(&spec.redact_headers))),
            Err(e) => {
                // The runner checks the path first; a direct caller hears it in the report.
                let message = format!("cannot log requests to {}: {e}", spec.path.display());
                report
                    .stats
                    .add_problem(ProblemKind::Error, &message, None, 1);
                (None, None)
            }
        },
    };
    let shared = Arc::new(Shared {
        hit: test.hit,
        rec: Recorder::logging(redactor),
        server_url: resolve_server_url(plan.server_url.as_deref(), test),
        control: control.clone(),
        active: AtomicU64::new(0),
        location: test.location(),
    });
    let started = Instant::now();
    let cpu_at_start = crate::cpu::process_secs();
    runtime.block_on(drive(
        plan,
        &shared,
        log.as_ref(),
        started,
        &mut report,
        observer,
    ));
    // Hits cancelled by a grace period may have left tasks a test spawned; do not wait on them.
    runtime.shutdown_timeout(Duration::from_millis(100));
    // Cancellations recorded while the runtime shut down.
    let last = shared.rec.harvest_all();
    let second = report.elapsed_secs as u32;
    crate::series::record(&mut report.series, second, &last.stats, 0);
    report.stats.merge(&last.stats);
    report.cpu_secs = crate::cpu::process_secs()
        .zip(cpu_at_start)
        .map(|(end, start)| end - start);
    report.peak_rss_bytes = crate::cpu::peak_rss_bytes();
    if let Some(log) = log {
        log.send(last.log);
        if let Err(e) = log.finish() {
            let message = format!("the request log is incomplete: {e}");
            report
                .stats
                .add_problem(ProblemKind::Error, &message, None, 1);
        }
    }
    report
}

async fn drive(
    plan: &Plan,
    shared: &Arc<Shared>,
    log: Option<&LogWriter>,
    started: Instant,
    report: &mut Report,
    observer: &mut dyn FnMut(&Progress, &Report),
) {
    let (hits, stage_length) = match &plan.length {
        Length::Hits(hits) => (Some(hits.iter().sum::<u64>()), None),
        Length::Duration(d) => (None, Some(*d)),
    };
    let ticker = Ticker::start(TICK);
    let mut first_user = 0u64;
    let mut stage = (0, Instant::now());
    // Harvests the shards and tells the observer, with the report's figures up to date, so a
    // snapshot is a true partial report.
    let mut publish = |report: &mut Report, (index, stage_start): (usize, Instant)| {
        let Harvest {
            stats: delta,
            log: entries,
        } = shared.rec.harvest_all();
        if let Some(log) = log {
            log.send(entries);
        }
        let elapsed = started.elapsed();
        let active = shared.active.load(Ordering::Relaxed);
        crate::series::record(&mut report.series, elapsed.as_secs() as u32, &delta, active);
        report.stats.merge(&delta);
        report.elapsed_secs = elapsed.as_secs_f64();
        report.interrupted = shared.control.is_stopped();
        observer(
            &progress(plan, shared, started, index, stage_start, report),
            report,
        );
    };
    for (index, &users) in plan.users.iter().enumerate() {
        if shared.control.is_stopped() {
            break;
        }
        stage = (index, Instant::now());
        // A deadline past what an Instant can hold is no deadline.
        let deadline = stage_length.and_then(|d| stage.1.checked_add(d));
        let mut set = JoinSet::new();
        let mut slots = Vec::with_capacity(users as usize);
        for offset in 0..u64::from(users) {
            let slot = Arc::new(Slot::default());
            slots.push(slot.clone());
            set.spawn(user::run(
                shared.clone(),
                slot,
                first_user + offset,
                hits,
                deadline,
            ));
        }
        first_user += u64::from(users);
        // Every stage is announced as it starts, however short it turns out to be.
        publish(report, stage);
        let mut cancel_at = deadline.and_then(|d| d.checked_add(STAGE_GRACE));
        let mut abandon_at: Option<Instant> = None;
        let mut stopping = false;
        loop {
            tokio::select! {
                joined = set.join_next() => match joined {
                    None => break,
                    Some(Err(e)) if e.is_panic() => shared.rec.with(|stats| {
                        stats.add_problem(ProblemKind::Error, "a virtual user crashed outside a hit (creating its context)", None, 1);
                    }),
                    Some(_) => {}
                },
                _ = ticker.tick() => {
                    publish(report, stage);
                    let now = Instant::now();
                    if cancel_at.is_some_and(|at| now >= at) {
                        // Hits still running are dropped here; each counts itself as cancelled.
                        set.abort_all();
                        cancel_at = None;
                        abandon_at = Some(now + ABANDON_AFTER);
                    } else if abandon_at.is_some_and(|at| now >= at) {
                        // A hit that never yields (a busy loop, a blocking call) cannot be
                        // dropped: it is left to run, counted as cancelled, and nothing it does
                        // is recorded.
                        let stuck = slots.iter().filter(|slot| slot.abandon()).count() as u64;
                        shared.rec.with(|stats| stats.hits.cancelled += stuck);
                        set.detach_all();
                        break;
                    }
                }
                _ = shared.control.stopped(), if !stopping => {
                    stopping = true;
                    let at = Instant::now() + STOP_GRACE;
                    cancel_at = Some(cancel_at.map_or(at, |c| c.min(at)));
                }
            }
        }
    }
    publish(report, stage);
}

fn progress(
    plan: &Plan,
    shared: &Shared,
    started: Instant,
    stage: usize,
    stage_start: Instant,
    report: &Report,
) -> Progress {
    let hits = &report.stats.hits;
    Progress {
        elapsed_secs: started.elapsed().as_secs_f64(),
        stage: stage + 1,
        stages: plan.users.len(),
        stage_elapsed_secs: stage_start.elapsed().as_secs_f64(),
        active_users: shared.active.load(Ordering::Relaxed),
        hits: hits.total(),
        success: hits.success,
        errors: hits.errors,
        failures: hits.failures,
        requests: report.stats.request_count(),
        planned_hits: plan.total_hits(),
        planned_secs: plan.total_duration().map(|d| d.as_secs_f64()),
    }
}
