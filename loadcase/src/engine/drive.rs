//! The run's periods, one after another: `-u` stages (users at once or over a ramp) with pauses
//! between them, `--stages` targets, or the open model's rate schedule. Each period is a driver
//! that starts users as its shape says, while this loop runs them, publishes progress every
//! tick, and cancels or abandons hits that outlive a grace period.

use std::collections::HashMap;
use std::future::Future;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::shared::{ABANDON_AFTER, STAGE_GRACE, STOP_GRACE, Shared, TICK};
use super::starters::{ClosedStage, Spawn, dispatch, open_feeds, ramp_targets};
use super::ticker::Ticker;
use super::user::Slot;
use super::watchdog::Watch;
use super::workers::Workers;
use crate::control::Progress;
use crate::outcome::error::ProblemKind;
use crate::plan::model::{Length, Plan, Shape};
use crate::record::log::LogWriter;
use crate::record::recorder::{Harvest, Recorder};
use crate::report::model::{Report, StageStats};
use crate::report::stats::Stats;

/// Adds what completed since the last harvest to the stage running now, which lasts until
/// `until` (since the run's start), or no longer than it did in a pause after it.
pub(super) fn merge_stage(
    report: &mut Report,
    shared: &Shared,
    until: Option<Duration>,
    stats: &Stats,
) {
    let index = shared.stage.load(Ordering::Relaxed);
    let started = shared.stage_started_ms.load(Ordering::Relaxed) as f64 / 1e3;
    while report.stages.len() <= index {
        report.stages.push(StageStats {
            started_secs: started,
            ..StageStats::default()
        });
    }
    let stage = &mut report.stages[index];
    stage.stats.merge(stats);
    if let Some(until) = until {
        stage.elapsed_secs = until.as_secs_f64() - stage.started_secs;
    }
}

/// Adds what the shards recorded to the report, each test's part to its own entry of a mix.
pub(super) fn merge_harvest(report: &mut Report, names: &[String], harvest: &Harvest) {
    report.stats.merge(&harvest.stats);
    if names.len() < 2 {
        return;
    }
    if harvest.by_test.is_empty() {
        // Only the first test recorded anything since the last harvest.
        report
            .by_test
            .entry(names[0].clone())
            .or_default()
            .merge(&harvest.stats);
    }
    for (name, stats) in names.iter().zip(&harvest.by_test) {
        report.by_test.entry(name.clone()).or_default().merge(stats);
    }
}

struct Publisher<'a> {
    plan: &'a Plan,
    shared: &'a Shared,
    /// Where users run; here so that every period reaches it.
    workers: &'a Workers,
    rec: &'a Recorder,
    names: &'a [String],
    log: Option<&'a LogWriter>,
    started: Instant,
    /// When the previous harvest was taken: what this one holds completed since then, so it
    /// belongs to the second in which that interval began.
    last_harvest: Duration,
    /// In a pause between stages: the stage before it does not last on through the pause.
    pausing: bool,
    watch: Watch,
    report: &'a mut Report,
    observer: &'a mut dyn FnMut(&Progress, &Report),
}

impl Publisher<'_> {
    /// Harvests the shards and tells the observer, with the report's figures up to date, so a
    /// snapshot is a true partial report.
    fn publish(&mut self) {
        // Before the harvest: a user that ends its last hit in between is in both.
        let active = self.shared.active.take_peak();
        let harvest = self.rec.harvest_all();
        let elapsed = self.started.elapsed();
        // The ticks fall on the run's quarter seconds, so an interval lies within one second
        // (up to the time a harvest takes to start after its tick).
        let second = std::mem::replace(&mut self.last_harvest, elapsed).as_secs() as u32;
        crate::report::series::record(&mut self.report.series, second, &harvest.stats, active);
        merge_harvest(self.report, self.names, &harvest);
        if self.plan.stage_count() > 1 {
            let until = if self.pausing { None } else { Some(elapsed) };
            merge_stage(self.report, self.shared, until, &harvest.stats);
        }
        if let Some(log) = self.log {
            log.send(harvest.log);
            self.report.logged_requests = Some(log.written());
        }
        self.report.elapsed_secs = elapsed.as_secs_f64();
        self.report.interrupted = self.shared.control.is_stopped();
        let progress = self.progress();
        (self.observer)(&progress, self.report);
    }

    fn progress(&self) -> Progress {
        let hits = &self.report.stats.hits;
        let elapsed = self.started.elapsed();
        let stage_started =
            Duration::from_millis(self.shared.stage_started_ms.load(Ordering::Relaxed));
        Progress {
            elapsed_secs: elapsed.as_secs_f64(),
            stage: self.shared.stage.load(Ordering::Relaxed) + 1,
            stages: self.plan.stage_count(),
            stage_elapsed_secs: elapsed.saturating_sub(stage_started).as_secs_f64(),
            active_users: self.shared.active.now(),
            hits: hits.total(),
            success: hits.success,
            errors: hits.errors,
            failures: hits.failures,
            requests: self.report.stats.request_count(),
            dropped: hits.dropped,
            planned_hits: self.plan.total_hits(),
            planned_secs: self.plan.total_duration().map(|d| d.as_secs_f64()),
        }
    }

    /// Counts the stalls of the workers (a hit polled for a whole tick or more) against the
    /// test whose hit held each, and says which workers a hit has held past `--hit-timeout`.
    fn stalled_past_timeout(&mut self) -> Vec<usize> {
        let mut past = Vec::new();
        for stall in self.watch.check(self.workers.beats()) {
            let secs = stall.for_.as_secs_f64();
            self.shared.tests[stall.test].rec.with(|stats| {
                stats.stalls.count += u64::from(stall.new);
                stats.stalls.longest_secs = stats.stalls.longest_secs.max(secs);
            });
            if let Some(limit) = self.shared.hit_timeout
                && stall.for_ > limit + ABANDON_AFTER
            {
                past.push(stall.worker);
            }
        }
        past
    }

    fn enter_stage(&self, index: usize) {
        self.shared.stage.store(index, Ordering::Relaxed);
        let ms = self.started.elapsed().as_millis() as u64;
        self.shared.stage_started_ms.store(ms, Ordering::Relaxed);
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn drive(
    plan: &Plan,
    shared: &Arc<Shared>,
    workers: &Workers,
    rec: &Recorder,
    names: &[String],
    log: Option<&LogWriter>,
    started: Instant,
    watch: Watch,
    report: &mut Report,
    observer: &mut dyn FnMut(&Progress, &Report),
) {
    let ticker = Ticker::start(TICK, started);
    let mut publisher = Publisher {
        plan,
        shared,
        workers,
        rec,
        names,
        log,
        started,
        last_harvest: Duration::ZERO,
        pausing: false,
        watch,
        report,
        observer,
    };
    match &plan.shape {
        Shape::Rate(rate) => {
            publisher.enter_stage(0);
            let start = Instant::now();
            let feeds = open_feeds(shared, rate, workers.count(), start);
            let queues: Vec<_> = feeds.iter().flatten().map(|f| f.queue.clone()).collect();
            let (tx, rx) = mpsc::unbounded_channel();
            let handles = workers.handles().to_vec();
            let driver = dispatch(
                shared.clone(),
                rate.clone(),
                feeds,
                handles,
                tx,
                started,
                start,
            );
            run_period(driver, rx, shared, &ticker, &mut publisher).await;
            // Due by the schedule's end, or by now after a stop.
            let until = start
                .checked_add(rate.duration())
                .map_or_else(Instant::now, |end| end.min(Instant::now()));
            for queue in queues {
                let left = queue.left_over(until);
                queue.rec().with(|stats| stats.hits.dropped += left);
            }
        }
        Shape::Ramping { targets, .. } => {
            let (tx, rx) = mpsc::unbounded_channel();
            let driver = ramp_targets(shared.clone(), targets.clone(), tx, started);
            run_period(driver, rx, shared, &ticker, &mut publisher).await;
        }
        Shape::Fixed {
            users: stages,
            length,
            ramp,
            pause,
            ..
        } => {
            let (hits, stage_length) = match length {
                Length::Hits(hits) => (Some(hits.iter().sum::<u64>()), None),
                Length::Duration(d) => (None, Some(*d)),
            };
            let mut first_user = 0u64;
            for (index, &users) in stages.iter().enumerate() {
                if shared.control.is_stopped() {
                    break;
                }
                if index > 0
                    && let Some(pause) = *pause
                {
                    let control = shared.control.clone();
                    let driver = async move {
                        tokio::select! {
                            _ = tokio::time::sleep(pause) => {}
                            _ = control.stopped() => {}
                        }
                        None
                    };
                    let (_tx, rx) = mpsc::unbounded_channel();
                    publisher.pausing = true;
                    run_period(driver, rx, shared, &ticker, &mut publisher).await;
                    publisher.pausing = false;
                    if shared.control.is_stopped() {
                        break;
                    }
                }
                publisher.enter_stage(index);
                let (tx, rx) = mpsc::unbounded_channel();
                let stage = ClosedStage {
                    index,
                    users,
                    first_user,
                    hits,
                    stage_length,
                    ramp: *ramp,
                };
                let driver = stage.start(shared.clone(), tx);
                // Every stage is announced as it starts, however short it turns out to be.
                publisher.publish();
                run_period(driver, rx, shared, &ticker, &mut publisher).await;
                first_user += u64::from(users);
            }
        }
    }
    publisher.publish();
}

/// Runs users as `driver` starts them until all are done. The driver returns when it will start
/// no more, with the moment its schedule ended, if it has one: users still in a hit then get
/// [`STAGE_GRACE`] to finish.
async fn run_period(
    driver: impl Future<Output = Option<Instant>>,
    mut spawns: mpsc::UnboundedReceiver<Spawn>,
    shared: &Arc<Shared>,
    ticker: &Ticker,
    publisher: &mut Publisher<'_>,
) {
    let mut set = JoinSet::new();
    let mut slots: Vec<Arc<Slot>> = Vec::new();
    // Each task's slot, and the users given up on whose tasks still run (held by a hit that
    // does not yield): the period is over when only those are left.
    let mut slot_of = HashMap::new();
    let mut alive: Vec<bool> = Vec::new();
    let mut given_up: Vec<bool> = Vec::new();
    // The worker thread each user runs on.
    let mut worker_of: Vec<usize> = Vec::new();
    let mut held = 0usize;
    let workers = publisher.workers;
    tokio::pin!(driver);
    let mut driving = true;
    let mut cancel_at: Option<Instant> = None;
    let mut abandon_at: Option<Instant> = None;
    let mut stopping = false;
    loop {
        tokio::select! {
            end = &mut driver, if driving => {
                driving = false;
                if let Some(at) = end.and_then(|end| end.checked_add(STAGE_GRACE)) {
                    cancel_at = Some(cancel_at.map_or(at, |c| c.min(at)));
                }
            }
            Some(spawn) = spawns.recv() => {
                let worker = spawn.worker.unwrap_or_else(|| workers.worker_of(slots.len()));
                let task = set.spawn_on(spawn.task, workers.handle(worker));
                slot_of.insert(task.id(), slots.len());
                slots.push(spawn.slot);
                worker_of.push(worker);
                alive.push(true);
                given_up.push(false);
            }
            joined = set.join_next_with_id(), if !set.is_empty() => {
                let id = match &joined {
                    Some(Ok((id, ()))) => Some(*id),
                    Some(Err(e)) => Some(e.id()),
                    None => None,
                };
                if let Some(index) = id.and_then(|id| slot_of.remove(&id)) {
                    alive[index] = false;
                    if given_up[index] {
                        held -= 1;
                    }
                }
                if let Some(Err(e)) = joined && e.is_panic() {
                    shared.tests[0].rec.with(|stats| {
                        stats.add_problem(ProblemKind::Error, "a virtual user crashed outside a hit (creating its context)", None, 1);
                    });
                }
            }
            _ = ticker.tick() => {
                publisher.publish();
                for worker in publisher.stalled_past_timeout() {
                    held += give_up(worker, &worker_of, shared, &slots, &alive, &mut given_up);
                }
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
                    shared.tests[0].rec.with(|stats| stats.hits.cancelled += stuck);
                    set.detach_all();
                    break;
                }
            }
            _ = shared.control.stopped(), if !stopping => {
                stopping = true;
                // The driver starts no one else; users see the stop before their next hit.
                driving = false;
                let at = Instant::now() + STOP_GRACE;
                cancel_at = Some(cancel_at.map_or(at, |c| c.min(at)));
            }
        }
        if !driving && set.len() == held && spawns.is_empty() {
            set.detach_all();
            break;
        }
    }
    // What completed since the last tick belongs to this period's stage, not the next.
    publisher.publish();
}

/// Gives up on every user of a worker that a hit has held past `--hit-timeout` and
/// [`ABANDON_AFTER`]: the hit running is counted as cancelled, the others of that thread, which
/// cannot run while it is held, end with it. Returns how many tasks it gave up on.
fn give_up(
    worker: usize,
    worker_of: &[usize],
    shared: &Shared,
    slots: &[Arc<Slot>],
    alive: &[bool],
    given_up: &mut [bool],
) -> usize {
    let mut tasks = 0;
    for index in (0..slots.len()).filter(|&i| worker_of[i] == worker) {
        if !alive[index] || given_up[index] {
            continue;
        }
        given_up[index] = true;
        tasks += 1;
        let slot = &slots[index];
        if slot.abandon() {
            let limit = shared.hit_timeout.unwrap_or_default();
            let message = format!(
                "abandoned: a hit held its worker thread past --hit-timeout {} without yielding, so it could not be cancelled (a busy loop or a blocking call; blocking code belongs in tokio::task::spawn_blocking)",
                humantime::format_duration(limit)
            );
            shared.tests[slot.test()].rec.with(|stats| {
                stats.hits.cancelled += 1;
                stats.add_problem(ProblemKind::Error, &message, None, 1);
            });
        }
    }
    tasks
}
