//! The load engine: a current-thread tokio runtime per worker thread with each virtual user (one
//! task) kept on one of them, the run's phases driven from the calling thread, metrics harvested
//! from per-thread shards a few times a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::error::ProblemKind;
use crate::metrics::Recorder;
use crate::plan::Plan;
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
    /// Open model: hits that were due but could not start.
    #[serde(default)]
    pub dropped: u64,
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
    reason: std::sync::Mutex<Option<String>>,
}

impl Default for Control {
    fn default() -> Self {
        Control(Arc::new(ControlInner {
            stopped: AtomicBool::new(false),
            wake: watch::Sender::new(false),
            reason: std::sync::Mutex::new(None),
        }))
    }
}

impl Control {
    /// Asks the run to stop: no new hits start; running ones get [`STOP_GRACE`] to finish.
    pub fn stop(&self) {
        self.0.stopped.store(true, Ordering::Relaxed);
        self.0.wake.send_replace(true);
    }

    /// Stops the run as [`stop`](Self::stop) does, and says why: the report's
    /// [`stop_reason`](Report::stop_reason). The first reason given is kept.
    pub fn stop_because(&self, reason: impl Into<String>) {
        let mut kept = self
            .0
            .reason
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.is_none() {
            *kept = Some(reason.into());
        }
        drop(kept);
        self.stop();
    }

    /// Why the run was stopped, if [`stop_because`](Self::stop_because) said.
    pub fn reason(&self) -> Option<String> {
        self.0
            .reason
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
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

mod drive;
mod mix;
mod open;
mod workers;

/// One test of the run, as its users need it.
struct TestEntry {
    hit: HitFn,
    setup: Option<HitFn>,
    teardown: Option<HitFn>,
    rec: Recorder,
    location: String,
}

struct Shared {
    tests: Vec<TestEntry>,
    /// The test of user `i` is `order[i % order.len()]`.
    order: Vec<usize>,
    weights: Vec<u32>,
    server_url: Option<String>,
    control: Control,
    active: AtomicU64,
    /// The stage running now, from 0, and when it started (ms since the run's start).
    stage: AtomicUsize,
    stage_started_ms: AtomicU64,
    think: Option<crate::plan::Think>,
    hit_timeout: Option<Duration>,
    request_timeout: Duration,
}

impl Shared {
    fn test_of(&self, user: u64) -> usize {
        self.order[(user % self.order.len() as u64) as usize]
    }
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
///     setup: None,
///     teardown: None,
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
    run_mix(&[(test, 1)], plan, control, observer)
}

/// Runs several tests in one load, each virtual user running one of them chosen by weight
/// (user `i` of every `sum(weights)` consecutive users gets each test's exact share; in the
/// open model each test gets its share of the rate). The report's
/// [`by_test`](Report::by_test) holds each test's own figures; its `stats` hold them all.
///
/// # Panics
///
/// As [`run`]; and when `mix` is empty.
pub fn run_mix(
    mix: &[(&LoadTest, u32)],
    plan: &Plan,
    control: &Control,
    observer: &mut dyn FnMut(&Progress, &Report),
) -> Report {
    assert!(!mix.is_empty(), "loadcase: a run needs at least one test");
    let first = mix[0].0;
    let workers = workers::Workers::start(worker_threads().unwrap_or_else(|message| {
        // The runner checks this before starting anything; a direct caller hears it here.
        eprintln!("loadcase: {message}; using one per core");
        std::thread::available_parallelism().map_or(1, usize::from)
    }));
    // The engine's own loop: timers, the open model's dispatcher, the harvest.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("loadcase: cannot start the tokio runtime");
    let started_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut report = Report {
        schema: REPORT_SCHEMA,
        test: mix
            .iter()
            .map(|(test, _)| test.path())
            .collect::<Vec<_>>()
            .join(" + "),
        started_unix_ms,
        plan: Some(plan.clone()),
        thresholds: mix
            .iter()
            .flat_map(|(test, _)| test.thresholds.iter().map(|t| (*t).to_owned()))
            .collect(),
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
    let rec = Recorder::logging(redactor);
    let weights: Vec<u32> = mix.iter().map(|(_, w)| (*w).max(1)).collect();
    let shared = Arc::new(Shared {
        tests: mix
            .iter()
            .enumerate()
            .map(|(i, (test, _))| TestEntry {
                hit: test.hit,
                setup: test.setup,
                teardown: test.teardown,
                rec: rec.for_test(i),
                location: test.location(),
            })
            .collect(),
        order: mix::order(&weights),
        weights,
        server_url: resolve_server_url(plan.server_url.as_deref(), first),
        control: control.clone(),
        active: AtomicU64::new(0),
        stage: AtomicUsize::new(0),
        stage_started_ms: AtomicU64::new(0),
        think: plan.think,
        hit_timeout: plan.hit_timeout,
        request_timeout: plan
            .request_timeout
            .unwrap_or(crate::DEFAULT_REQUEST_TIMEOUT),
    });
    let names: Vec<String> = mix.iter().map(|(test, _)| test.path()).collect();
    let started = Instant::now();
    let cpu_at_start = crate::cpu::process_secs();
    runtime.block_on(drive::drive(
        plan,
        &shared,
        &workers,
        &rec,
        &names,
        log.as_ref(),
        started,
        &mut report,
        observer,
    ));
    // Hits cancelled by a grace period may have left tasks a test spawned; do not wait on them.
    workers.shut_down();
    runtime.shutdown_timeout(Duration::from_millis(100));
    // Cancellations recorded while the runtime shut down.
    let last = rec.harvest_all();
    let second = report.elapsed_secs as u32;
    crate::series::record(&mut report.series, second, &last.stats, 0);
    drive::merge_harvest(&mut report, &names, &last);
    report.stop_reason = control.reason();
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
