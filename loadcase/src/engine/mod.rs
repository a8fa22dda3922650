//! The load engine: a current-thread tokio runtime per worker thread with each virtual user (one
//! task) kept on one of them, the run's stages driven from the calling thread, metrics harvested
//! from per-thread shards a few times a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::control::{Control, Progress};
use crate::outcome::error::ProblemKind;
use crate::plan::model::Plan;
use crate::record::log::LogWriter;
use crate::record::recorder::Recorder;
use crate::record::redact::Redactor;
use crate::report::model::{REPORT_SCHEMA, Report};
use crate::test::Test;

mod active;
mod drive;
mod open;
mod order;
mod shared;
mod start;
mod starters;
mod ticker;
mod user;
mod watchdog;
pub(crate) mod workers;

use shared::{Shared, TestEntry};

/// The plan as a report keeps it: with the server URL in force when every test of the run has
/// the same (the test's own included, not only `--server-url`), and no password in it.
fn reported(plan: &Plan, mix: &[(&Test, u32)]) -> Plan {
    let mut plan = plan.clone();
    let urls: Vec<Option<String>> = mix
        .iter()
        .map(|(test, _)| {
            crate::http::server_url::resolve(plan.server_url.as_deref(), test.declared_server_url())
        })
        .collect();
    if urls.windows(2).all(|w| w[0] == w[1]) {
        plan.server_url = urls.into_iter().next().flatten();
    }
    plan.server_url = plan
        .server_url
        .map(|url| crate::record::redact::passwords_in(&url).into_owned());
    plan
}

/// The report of a run refused before it started, saying why.
fn refused(plan: &Plan, why: &str) -> Report {
    let mut report = Report {
        schema: REPORT_SCHEMA,
        plan: Some(plan.clone()),
        ..Report::default()
    };
    report.stats.add_problem(ProblemKind::Error, why, None, 1);
    report
}

/// Runs `plan` of `test` to the end or until `control` stops it, calling `observer` every
/// quarter of a second with progress and the report so far, and returns the final report.
///
/// This is loadcase without the runner: a plan in, a report out.
///
/// # Panics
///
/// It builds and blocks on a runtime of its own, so it panics when called from inside a tokio
/// runtime (a `#[tokio::test]`, say): call it from synchronous code or `spawn_blocking`.
///
/// ```
/// use loadcase::{Context, Control, Plan, Test};
///
/// let test = Test::new("doc", async |cx: &mut Context| cx.incr("hits seen"));
/// let plan = Plan::parse(Some("10:20"), Some("5"), None).unwrap();
/// let report = loadcase::run(&test, &plan, &Control::default(), &mut |_progress, _so_far| {});
/// assert_eq!(report.stats.hits.success, 150);
/// assert_eq!(report.stats.counters["hits seen"], 150);
/// ```
pub fn run(
    test: &Test,
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
    mix: &[(&Test, u32)],
    plan: &Plan,
    control: &Control,
    observer: &mut dyn FnMut(&Progress, &Report),
) -> Report {
    assert!(!mix.is_empty(), "loadcase: a run needs at least one test");
    if let Err(too_big) = plan.check_memory(crate::plan::memory::available_memory()) {
        // Starting them would abort the process partway; the runner refuses such a plan before
        // it builds anything, a direct caller hears it in the report.
        return refused(plan, &too_big.to_string());
    }
    // Built before anything starts (the slow part of a first client: the platform's roots), and
    // a --ca-cert that cannot be used stops the run here, as a plan too big does.
    let tls = match crate::tls::config::config(plan.ca_cert.as_deref(), plan.insecure) {
        Ok(tls) => tls,
        Err(error) => return refused(plan, &format!("--ca-cert: {error}")),
    };
    let threads = workers::worker_threads().unwrap_or_else(|message| {
        // The runner checks this before starting anything; a direct caller hears it here.
        eprintln!("loadcase: {message}; using one per core");
        std::thread::available_parallelism().map_or(1, usize::from)
    });
    let (watch, clock) = watchdog::Watch::new(threads);
    let workers = workers::Workers::start(threads, &clock);
    // The engine's own loop: timers, the open model's dispatcher, the harvest.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("loadcase: cannot start the tokio runtime");
    let start = start::wait(plan, control, &runtime);
    let started_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut report = Report {
        schema: REPORT_SCHEMA,
        test: mix
            .iter()
            .map(|(test, _)| test.name().to_owned())
            .collect::<Vec<_>>()
            .join(" + "),
        started_unix_ms,
        plan: Some(reported(plan, mix)),
        thresholds: mix
            .iter()
            .flat_map(|(test, _)| test.thresholds().iter().cloned())
            .collect(),
        run_id: plan.run_id.clone(),
        plan_digest: Some(
            plan.digest(&mix.iter().map(|(t, w)| (t.name(), *w)).collect::<Vec<_>>()),
        ),
        ..Report::default()
    };
    match start {
        start::Start::Now => {}
        start::Start::Skewed(late) => report.start_skew_secs = Some(late),
        start::Start::Missed(why) => {
            report.missed_start = true;
            report.stop_reason = Some(why);
            workers.shut_down();
            return report;
        }
        start::Start::Stopped => {
            report.interrupted = true;
            workers.shut_down();
            return report;
        }
    }
    let (log, redactor) = match &plan.log {
        None => (None, None),
        Some(spec) => match LogWriter::start(spec) {
            Ok(writer) => {
                let redactor = Redactor::new(&spec.redact_headers);
                let log = (redactor, writer.format(), writer.spare());
                (Some(writer), Some(log))
            }
            Err(e) => {
                // The runner checks the path first; a direct caller hears it in the report.
                report.request_log_error =
                    Some(format!("cannot create {}: {e}", spec.path.display()));
                report.logged_requests = Some(0);
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
                hit: test.hit_step().clone(),
                setup: test.setup_step().cloned(),
                teardown: test.teardown_step().cloned(),
                rec: rec.for_test(i),
                location: test.location().to_owned(),
                // Each test of a mix has its own server unless the plan names one for all.
                server_url: crate::http::server_url::resolve(
                    plan.server_url.as_deref(),
                    test.declared_server_url(),
                ),
            })
            .collect(),
        order: order::order(&weights),
        weights,
        control: control.clone(),
        active: Default::default(),
        stage: AtomicUsize::new(0),
        stage_started_ms: AtomicU64::new(0),
        think: plan.think(),
        hit_timeout: plan.hit_timeout,
        request_timeout: plan
            .request_timeout
            .unwrap_or(crate::http::client::DEFAULT_REQUEST_TIMEOUT),
        segment: plan.segment,
        seed: plan.seed,
        body_limit: plan
            .body_limit
            .unwrap_or(crate::http::transport::body::DEFAULT_BODY_LIMIT),
        tls,
    });
    let names: Vec<String> = mix.iter().map(|(test, _)| test.name().to_owned()).collect();
    let started = Instant::now();
    let cpu_at_start = crate::record::cpu::process_secs();
    runtime.block_on(drive::drive(
        plan,
        &shared,
        &workers,
        &rec,
        &names,
        log.as_ref(),
        started,
        watch,
        &mut report,
        observer,
    ));
    // Hits cancelled by a grace period may have left tasks a test spawned; do not wait on them.
    workers.shut_down();
    runtime.shutdown_timeout(Duration::from_millis(100));
    // Cancellations recorded while the runtime shut down.
    let last = rec.harvest_all();
    let second = report.elapsed_secs as u32;
    crate::report::series::record(&mut report.series, second, &last.stats, 0);
    drive::merge_harvest(&mut report, &names, &last);
    if plan.stage_count() > 1 {
        drive::merge_stage(&mut report, &shared, None, &last.stats);
    }
    report.stop_reason = control.reason();
    report.cpu_secs = crate::record::cpu::process_secs()
        .zip(cpu_at_start)
        .map(|(end, start)| end - start);
    report.peak_rss_bytes = crate::record::cpu::peak_rss_bytes();
    if let (Some(log), Some(spec)) = (log, &plan.log) {
        log.send(last.log);
        let written = log.written();
        match log.finish() {
            Ok(entries) => report.logged_requests = Some(entries),
            Err(e) => {
                report.logged_requests = Some(written);
                report.request_log_error =
                    Some(format!("cannot write {}: {e}", spec.path.display()));
            }
        }
    }
    report
}
