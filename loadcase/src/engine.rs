//! The load engine: a tokio multi-thread runtime, one task per virtual user, stages one after
//! another, metrics harvested from per-thread shards a few times a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::context::Context;
use crate::error::ProblemKind;
use crate::metrics::Recorder;
use crate::outcome::CatchHit;
use crate::plan::{Length, Plan};
use crate::registry::{HitFn, LoadTest};
use crate::report::{REPORT_SCHEMA, Report};

/// How often progress is reported and shards harvested.
pub const TICK: Duration = Duration::from_millis(250);
/// In duration mode, how long hits still running at the end of a stage may take to finish
/// before they are cancelled (and counted in [`HitStats::cancelled`](crate::report::HitStats)).
pub const STAGE_GRACE: Duration = Duration::from_secs(5);
/// After a stop, how long running hits may take to finish before they are cancelled.
pub const STOP_GRACE: Duration = Duration::from_secs(2);

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

fn worker_threads() -> usize {
    std::env::var(crate::protocol::env::WORKER_THREADS)
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
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
        .worker_threads(worker_threads())
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
        ..Report::default()
    };
    let shared = Arc::new(Shared {
        hit: test.hit,
        rec: Recorder::new(),
        server_url: resolve_server_url(plan.server_url.as_deref(), test),
        control: control.clone(),
        active: AtomicU64::new(0),
        location: test.location(),
    });
    let started = Instant::now();
    runtime.block_on(drive(plan, &shared, started, &mut report, observer));
    // Hits cancelled by a grace period may have left tasks a test spawned; do not wait on them.
    runtime.shutdown_timeout(Duration::from_millis(100));
    // Cancellations recorded while the runtime shut down.
    report.stats.merge(&shared.rec.harvest());
    report
}

async fn drive(
    plan: &Plan,
    shared: &Arc<Shared>,
    started: Instant,
    report: &mut Report,
    observer: &mut dyn FnMut(&Progress, &Report),
) {
    let (hits, stage_length) = match &plan.length {
        Length::Hits(hits) => (Some(hits.iter().sum::<u64>()), None),
        Length::Duration(d) => (None, Some(*d)),
    };
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut first_user = 0u64;
    let mut stage = (0, Instant::now());
    // Harvests the shards and tells the observer, with the report's figures up to date, so a
    // snapshot is a true partial report.
    let mut publish = |report: &mut Report, (index, stage_start): (usize, Instant)| {
        report.stats.merge(&shared.rec.harvest());
        report.elapsed_secs = started.elapsed().as_secs_f64();
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
        for offset in 0..u64::from(users) {
            set.spawn(user(shared.clone(), first_user + offset, hits, deadline));
        }
        first_user += u64::from(users);
        let mut cancel_at = deadline.and_then(|d| d.checked_add(STAGE_GRACE));
        let mut stopping = false;
        loop {
            let cancel = async {
                match cancel_at {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                joined = set.join_next() => match joined {
                    None => break,
                    Some(Err(e)) if e.is_panic() => shared.rec.with(|stats| {
                        stats.add_problem(ProblemKind::Error, "a virtual user crashed outside a hit (creating its context)", None, 1);
                    }),
                    Some(_) => {}
                },
                _ = tick.tick() => publish(report, stage),
                _ = shared.control.stopped(), if !stopping => {
                    stopping = true;
                    let at = Instant::now() + STOP_GRACE;
                    cancel_at = Some(cancel_at.map_or(at, |c| c.min(at)));
                }
                _ = cancel => {
                    // Hits still running are dropped here; each counts itself as cancelled.
                    set.abort_all();
                    cancel_at = None;
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

/// A hit in progress: if it is dropped before [`finish`](Self::finish) (cancelled at the end of
/// a grace period), it is counted as cancelled, so no hit vanishes without a trace.
struct InFlight<'a>(Option<&'a Recorder>);

impl InFlight<'_> {
    fn finish(mut self) {
        self.0 = None;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(rec) = self.0 {
            rec.with(|stats| stats.hits.cancelled += 1);
        }
    }
}

struct Active<'a>(&'a AtomicU64);

impl<'a> Active<'a> {
    fn enter(count: &'a AtomicU64) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Active(count)
    }
}

impl Drop for Active<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn user(shared: Arc<Shared>, index: u64, hits: Option<u64>, deadline: Option<Instant>) {
    let _active = Active::enter(&shared.active);
    let mut cx = Context::new(index, shared.rec.clone(), shared.server_url.clone());
    let mut done = 0u64;
    loop {
        if shared.control.is_stopped()
            || hits.is_some_and(|h| done >= h)
            || deadline.is_some_and(|d| Instant::now() >= d)
        {
            break;
        }
        cx.set_hit(done);
        let start = Instant::now();
        let in_flight = InFlight(Some(&shared.rec));
        let outcome = CatchHit::new((shared.hit)(&mut cx)).await;
        in_flight.finish();
        shared.rec.hit(&outcome, start.elapsed(), &shared.location);
        done += 1;
        // A hit that never awaits anything would otherwise keep this worker to itself.
        tokio::task::consume_budget().await;
    }
}
