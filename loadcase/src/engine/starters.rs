//! What starts the users of each kind of period: a `-u` stage's users at once or over its ramp
//! ([`ClosedStage`]), users moving toward `--stages` targets ([`ramp_targets`]), and the open
//! model's dispatchers of hits due at a rate ([`dispatch`]). Each hands the users it starts to
//! the drive loop ([`spawn`]), which runs them; a segment starts only the users it owns.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::open::{Feed, Lane};
use super::shared::Shared;
use super::user::{self, Slot, Work};
use crate::plan::shape::{Rate, Target, users_at};

/// How often `--stages` adjusts the number of users.
const RAMP_STEP: Duration = Duration::from_millis(10);
/// How long after the open model's schedule ends its dispatchers may take to close their queues.
const DISPATCH_GRACE: Duration = Duration::from_secs(1);

/// A user to start: its slot, kept by the loop to abandon it, and its task.
pub(super) struct Spawn {
    pub(super) slot: Arc<Slot>,
    pub(super) task: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// The worker thread to run it on; the next in turn if none.
    pub(super) worker: Option<usize>,
}

pub(super) type Spawner = mpsc::UnboundedSender<Spawn>;

pub(super) fn spawn(
    tx: &Spawner,
    shared: &Arc<Shared>,
    index: u64,
    test: usize,
    work: Work,
) -> Arc<Slot> {
    spawn_on(tx, shared, index, test, work, None)
}

/// [`spawn`], on the given worker thread rather than the next in turn.
fn spawn_on(
    tx: &Spawner,
    shared: &Arc<Shared>,
    index: u64,
    test: usize,
    work: Work,
    worker: Option<usize>,
) -> Arc<Slot> {
    let slot = Arc::new(Slot::new(test));
    let task = Box::pin(user::run(shared.clone(), slot.clone(), index, test, work));
    // The loop outlives every driver; a send fails only once it is gone, when nothing matters.
    let _ = tx.send(Spawn {
        slot: slot.clone(),
        task,
        worker,
    });
    slot
}

/// One `-u` stage: its users at once, or spread over the ramp.
pub(super) struct ClosedStage {
    pub(super) index: usize,
    pub(super) users: u32,
    pub(super) first_user: u64,
    pub(super) hits: Option<u64>,
    pub(super) stage_length: Option<Duration>,
    pub(super) ramp: Option<crate::plan::shape::Ramp>,
}

impl ClosedStage {
    pub(super) async fn start(self, shared: Arc<Shared>, tx: Spawner) -> Option<Instant> {
        let start = Instant::now();
        // A deadline past what an Instant can hold is no deadline.
        let deadline = self.stage_length.and_then(|d| start.checked_add(d));
        // Drawn for every user of the stage, so that each segment of a run starts the users it
        // owns when the whole plan would start them.
        let seed = shared.seed.map(|seed| seed ^ self.index as u64);
        let offsets = self.ramp.map(|ramp| ramp.offsets(self.users, seed));
        for k in 0..self.users {
            if !shared.segment.owns(u64::from(k)) {
                continue;
            }
            if let Some(offset) = offsets.as_ref().map(|o| o[k as usize])
                && !offset.is_zero()
            {
                tokio::select! {
                    _ = tokio::time::sleep_until((start + offset).into()) => {}
                    _ = shared.control.stopped() => break,
                }
            }
            if shared.control.is_stopped() {
                break;
            }
            let index = self.first_user + u64::from(k);
            let work = Work::Closed {
                hits: self.hits,
                deadline,
            };
            spawn(&tx, &shared, index, shared.test_of(index), work);
        }
        deadline
    }
}

/// `--stages`: users added or retired to follow each target linearly; retired users finish
/// their current hit. At the end every user retires.
pub(super) async fn ramp_targets(
    shared: Arc<Shared>,
    targets: Vec<Target>,
    tx: Spawner,
    run_start: Instant,
) -> Option<Instant> {
    // By position: the whole plan's users, newest last; a segment keeps a slot only for the
    // positions it owns, and numbers users as the whole plan does, so that its users are exactly
    // the ones the whole plan would run at those positions.
    let mut alive: Vec<Option<Arc<Slot>>> = Vec::new();
    let mut from = 0u32;
    let mut next_user = 0u64;
    'stages: for (index, target) in targets.iter().enumerate() {
        shared.stage.store(index, Ordering::Relaxed);
        let ms = run_start.elapsed().as_millis() as u64;
        shared.stage_started_ms.store(ms, Ordering::Relaxed);
        let start = Instant::now();
        loop {
            let elapsed = start.elapsed();
            let want = users_at(from, target.users, target.over, elapsed) as usize;
            while alive.len() < want {
                let slot = shared.segment.owns(alive.len() as u64).then(|| {
                    let work = Work::Closed {
                        hits: None,
                        deadline: None,
                    };
                    let test = shared.test_of(next_user);
                    spawn(&tx, &shared, next_user, test, work)
                });
                alive.push(slot);
                next_user += 1;
            }
            while alive.len() > want {
                // The most recent users leave first, as k6's ramping-vus does.
                if let Some(Some(slot)) = alive.pop() {
                    slot.retire();
                }
            }
            if elapsed >= target.over {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(RAMP_STEP) => {}
                _ = shared.control.stopped() => break 'stages,
            }
        }
        from = target.users;
    }
    for slot in alive.into_iter().flatten() {
        slot.retire();
    }
    Some(Instant::now())
}

/// The open model's queues: per worker thread, one per test of the run, and a pool of users of
/// its own, which takes its share of `--max-users`. With fewer users allowed than there are
/// worker threads, only as many threads take hits (a thread without a user of its own would
/// have to drop its hits while another's users wait).
pub(super) fn open_feeds(
    shared: &Shared,
    rate: &Rate,
    workers: usize,
    start: Instant,
) -> Vec<Vec<Feed>> {
    let max_users = shared.segment.share(u64::from(rate.max_users));
    let lanes = workers.min(max_users.max(1) as usize);
    let total: u32 = shared.weights.iter().sum();
    (0..lanes as u64)
        .map(|first| {
            let pool = Arc::new(AtomicU64::new(0));
            shared
                .tests
                .iter()
                .zip(&shared.weights)
                .map(|(test, &weight)| {
                    let lane = Lane {
                        rate: rate.clone(),
                        share: f64::from(weight) / f64::from(total),
                        segment: shared.segment,
                        first,
                        step: lanes as u64,
                        start,
                    };
                    Feed::new(lane, test.rec.clone(), pool.clone())
                })
                .collect()
        })
        .collect()
}

/// The open model's dispatchers, one per worker thread that takes hits, on it: each puts the
/// hits it owns in its own queues when they fall due, and adds a user on its thread whenever no
/// idle one is there to take a hit and its share of `--max-users` allows. Hit `j` of this
/// process's share goes to thread `j mod threads`, so the threads between them fire every hit
/// the process owns, each at its time.
pub(super) async fn dispatch(
    shared: Arc<Shared>,
    rate: Rate,
    feeds: Vec<Vec<Feed>>,
    workers: Vec<tokio::runtime::Handle>,
    tx: Spawner,
    run_start: Instant,
    start: Instant,
) -> Option<Instant> {
    let next_user = Arc::new(AtomicU64::new(0));
    let step = feeds.len() as u64;
    let max_users = shared.segment.share(u64::from(rate.max_users));
    let mut dispatchers = Vec::new();
    for (worker, (handle, feeds)) in workers.iter().zip(feeds).enumerate() {
        let dispatcher = Dispatcher {
            shared: shared.clone(),
            rate: rate.clone(),
            feeds,
            tx: tx.clone(),
            worker,
            // This thread's share of the users, as a segment's of the run's.
            max_users: (max_users / step + u64::from((worker as u64) < max_users % step)) as u32,
            next_user: next_user.clone(),
        };
        dispatchers.push(handle.spawn(dispatcher.run(start, run_start)));
    }
    let end = start.checked_add(rate.duration());
    // A worker held by a hit that never yields cannot run its dispatcher to the end: the others
    // are not kept waiting for it past the schedule's end and a little more.
    let deadline = end.and_then(|end| end.checked_add(DISPATCH_GRACE));
    for dispatcher in dispatchers {
        let Some(deadline) = deadline else {
            let _ = dispatcher.await;
            continue;
        };
        if tokio::time::timeout_at(deadline.into(), dispatcher)
            .await
            .is_err()
        {
            break;
        }
    }
    end.or_else(|| Some(Instant::now()))
}

struct Dispatcher {
    shared: Arc<Shared>,
    rate: Rate,
    feeds: Vec<Feed>,
    tx: Spawner,
    worker: usize,
    /// The most users this thread's pool may hold.
    max_users: u32,
    /// Users started by every dispatcher of the run, to number them apart.
    next_user: Arc<AtomicU64>,
}

impl Dispatcher {
    async fn run(self, start: Instant, run_start: Instant) {
        let shared = &self.shared;
        let rate = &self.rate;
        let segment = shared.segment;
        // Per test: how many of its hits this dispatcher has fired, and when the next is due.
        let mut next: Vec<(u64, Option<Instant>)> = self
            .feeds
            .iter()
            .map(|f| (0, f.queue.lane().due(0)))
            .collect();
        let max_users = self.max_users;
        let stage_ends: Vec<Duration> = rate
            .stages
            .iter()
            .scan(Duration::ZERO, |end, stage| {
                *end += stage.over;
                Some(*end)
            })
            .collect();
        while let Some(at) = next.iter().filter_map(|(_, due)| *due).min() {
            if at > Instant::now() {
                tokio::select! {
                    _ = tokio::time::sleep_until(at.into()) => {}
                    _ = shared.control.stopped() => break,
                }
            }
            let now = Instant::now();
            let stage = stage_ends.partition_point(|end| start + *end <= now);
            if stage != shared.stage.load(Ordering::Relaxed) && stage < stage_ends.len() {
                shared.stage.store(stage, Ordering::Relaxed);
                let ms = run_start.elapsed().as_millis() as u64;
                shared.stage_started_ms.store(ms, Ordering::Relaxed);
            }
            // Every hit due by now goes out, so that a late wake-up does not lower the rate.
            for (test, (k, due)) in next.iter_mut().enumerate() {
                while let Some(d) = *due
                    && d <= now
                {
                    let feed = &self.feeds[test];
                    if feed.push(d) && feed.queue.try_join(max_users) {
                        let work = Work::Open(feed.queue.clone());
                        let n = self.next_user.fetch_add(1, Ordering::Relaxed);
                        // Numbered apart from every other segment's users.
                        let index = segment.nth_owned(n);
                        spawn_on(&self.tx, shared, index, test, work, Some(self.worker));
                    }
                    *k += 1;
                    *due = feed.queue.lane().due(*k);
                }
            }
        }
        // The last hits fall due just before the schedule's end; those still waiting then get
        // `--max-delay` to start, as any other.
        let end = start + rate.duration();
        tokio::select! {
            _ = tokio::time::sleep_until(end.into()) => {}
            _ = shared.control.stopped() => {}
        }
        for feed in &self.feeds {
            feed.close();
        }
    }
}
