//! [`Stats`]: the counts and distributions that each worker thread records into and a report
//! carries, so that harvesting workers, merging reports from several processes and summing a
//! run's stages are all the one [`Stats::merge`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::outcome::error::ProblemKind;
use crate::report::histogram::Histogram;

/// How many request rows a run keeps: `MAX_REQUEST_NAMES - 1` distinct names, and one row,
/// [`OTHER_REQUESTS`], for every request beyond them. Names default to `METHOD /path`, so URLs
/// with ids in them would otherwise make a row (and two histograms) per id; the overflow row
/// says to group them with `.name(…)`.
pub const MAX_REQUEST_NAMES: usize = 500;

/// The row that requests beyond [`MAX_REQUEST_NAMES`] are counted in.
pub const OTHER_REQUESTS: &str = "(other names: group URLs with .name(…))";

/// How many distinct problem messages a run keeps; past that they are counted together, so that
/// an error text that embeds an ever-changing value cannot grow memory without bound.
pub const MAX_PROBLEM_GROUPS: usize = 1000;

/// Counts and distributions of a run (or of a part of one).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Hits (test function calls) and how they ended.
    pub hits: HitStats,
    /// HTTP requests by name (`GET /path` unless named with `.name(…)`).
    pub requests: BTreeMap<String, RequestStats>,
    /// HTTP responses by status code.
    pub status_codes: BTreeMap<u16, u64>,
    /// Custom counters from [`Context::incr`](crate::Context::incr).
    pub counters: BTreeMap<String, u64>,
    /// WebSocket activity.
    pub websockets: WebSocketStats,
    /// Failures and errors grouped by kind, message and location, in first-seen order.
    pub problems: Vec<ProblemGroup>,
    /// Each virtual user's `setup` (`#[load_test(setup = login)]`), timed apart from the hits.
    #[serde(default)]
    pub setup: HookStats,
    /// Each virtual user's `teardown`, after its last hit.
    #[serde(default)]
    pub teardown: HookStats,
    /// Times a hit of this test kept its worker thread from polling anything else.
    #[serde(default)]
    pub stalls: StallStats,
}

/// Times a hit blocked the worker thread it ran on — a busy loop, `std::thread::sleep`,
/// synchronous I/O — so that no other user of that thread made progress meanwhile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StallStats {
    /// Stalls of at least a quarter of a second.
    pub count: u64,
    /// The longest one, in seconds.
    pub longest_secs: f64,
}

/// Runs of a per-user hook (`setup` or `teardown`) and how they ended; not hits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HookStats {
    /// Runs that succeeded.
    pub success: u64,
    /// Runs that ended in an error.
    pub errors: u64,
    /// Runs that ended in a failure.
    pub failures: u64,
    /// Duration of every completed run.
    pub time: Histogram,
}

impl HookStats {
    /// All completed runs.
    pub fn total(&self) -> u64 {
        self.success + self.errors + self.failures
    }

    fn merge(&mut self, other: &HookStats) {
        self.success += other.success;
        self.errors += other.errors;
        self.failures += other.failures;
        self.time.merge(&other.time);
    }
}

/// Hits and their outcomes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HitStats {
    /// Hits that returned success.
    pub success: u64,
    /// Hits that ended in an error.
    pub errors: u64,
    /// Hits that ended in a failure.
    pub failures: u64,
    /// Hits still running when a grace period ended (end of a duration stage, after a stop),
    /// cancelled and not counted in the others.
    #[serde(default)]
    pub cancelled: u64,
    /// Open model (`--rate`): hits that were due but could not start, because every virtual
    /// user was busy for longer than the allowed delay or the run ended first.
    #[serde(default)]
    pub dropped: u64,
    /// Hits not run because their user's `setup` did not succeed.
    #[serde(default)]
    pub not_run: u64,
    /// Duration of every completed hit, whatever its outcome: the service time, from when the
    /// hit actually started.
    pub time: Histogram,
    /// Open model (`--rate`): each completed hit's time from when it was *due* to start, so
    /// that waiting for a free user counts (coordinated omission corrected, as wrk2 does).
    /// Empty in the closed model, where a hit is due when it starts.
    #[serde(default)]
    pub corrected: Histogram,
}

impl HitStats {
    /// All completed hits.
    pub fn total(&self) -> u64 {
        self.success + self.errors + self.failures
    }
}

/// One request name's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestStats {
    /// Requests sent.
    pub count: u64,
    /// Requests with no response (transport error), a body that could not be read, or a
    /// status the caller does not accept (by default 400 or more).
    pub errors: u64,
    /// Total time of every request, including those that failed: from `send()` until the
    /// body was read or the request failed (DNS, connect, TLS, redirects included).
    pub time: Histogram,
    /// Time to first byte: from `send()` until the status line and headers arrived, for
    /// requests that got a response.
    pub ttfb: Histogram,
    /// Time to last byte: from `send()` until the whole body arrived, for requests whose body
    /// was read.
    #[serde(default)]
    pub ttlb: Histogram,
    /// Request body bytes sent (bodies of unknown length, such as streams, count 0).
    #[serde(default)]
    pub bytes_sent: u64,
    /// Response body bytes received.
    pub bytes_received: u64,
    /// Responses of this name by status code (requests without a response are not here).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub statuses: BTreeMap<u16, u64>,
}

impl RequestStats {
    /// Adds `other`'s counts and times to these.
    pub fn merge(&mut self, other: &RequestStats) {
        self.count += other.count;
        self.errors += other.errors;
        self.time.merge(&other.time);
        self.ttfb.merge(&other.ttfb);
        self.ttlb.merge(&other.ttlb);
        self.bytes_sent += other.bytes_sent;
        self.bytes_received += other.bytes_received;
        for (code, n) in &other.statuses {
            *self.statuses.entry(*code).or_default() += n;
        }
    }
}

/// WebSocket counts. Bytes are message payloads, as Loads counted them, not frame headers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebSocketStats {
    /// Sockets that completed the opening handshake.
    pub opened: u64,
    /// Data messages sent.
    pub messages_sent: u64,
    /// Data messages received.
    pub messages_received: u64,
    /// Payload bytes sent.
    pub bytes_sent: u64,
    /// Payload bytes received.
    pub bytes_received: u64,
}

/// Hits that ended alike: same kind, message and location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemGroup {
    /// Failure or error.
    pub kind: ProblemKind,
    /// The message shared by every occurrence.
    pub message: String,
    /// `file:line:column` where it was raised, when known.
    pub location: Option<String>,
    /// How many hits ended this way.
    pub count: u64,
}

impl Stats {
    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &Stats) {
        self.hits.success += other.hits.success;
        self.hits.errors += other.hits.errors;
        self.hits.failures += other.hits.failures;
        self.hits.cancelled += other.hits.cancelled;
        self.hits.dropped += other.hits.dropped;
        self.hits.not_run += other.hits.not_run;
        self.hits.time.merge(&other.hits.time);
        self.hits.corrected.merge(&other.hits.corrected);
        self.setup.merge(&other.setup);
        self.teardown.merge(&other.teardown);
        self.stalls.count += other.stalls.count;
        self.stalls.longest_secs = self.stalls.longest_secs.max(other.stalls.longest_secs);
        for (name, theirs) in &other.requests {
            self.request_entry(name).merge(theirs);
        }
        for (code, n) in &other.status_codes {
            *self.status_codes.entry(*code).or_default() += n;
        }
        for (name, n) in &other.counters {
            *self.counters.entry(name.clone()).or_default() += n;
        }
        let (ws, theirs) = (&mut self.websockets, &other.websockets);
        ws.opened += theirs.opened;
        ws.messages_sent += theirs.messages_sent;
        ws.messages_received += theirs.messages_received;
        ws.bytes_sent += theirs.bytes_sent;
        ws.bytes_received += theirs.bytes_received;
        for group in &other.problems {
            self.add_problem(
                group.kind,
                &group.message,
                group.location.as_deref(),
                group.count,
            );
        }
    }

    /// The row of request name `name`, or the overflow row once [`MAX_REQUEST_NAMES`] are kept.
    pub fn request_entry(&mut self, name: &str) -> &mut RequestStats {
        let name =
            if self.requests.contains_key(name) || self.requests.len() < MAX_REQUEST_NAMES - 1 {
                name
            } else {
                OTHER_REQUESTS
            };
        if !self.requests.contains_key(name) {
            self.requests
                .insert(name.to_owned(), RequestStats::default());
        }
        self.requests.get_mut(name).expect("inserted above")
    }

    /// Counts `count` occurrences of a problem into its group.
    pub fn add_problem(
        &mut self,
        kind: ProblemKind,
        message: &str,
        location: Option<&str>,
        count: u64,
    ) {
        let same = |g: &ProblemGroup| {
            g.kind == kind && g.message == message && g.location.as_deref() == location
        };
        if let Some(group) = self.problems.iter_mut().find(|g| same(g)) {
            group.count += count;
            return;
        }
        // Two slots stay free for the per-kind overflow groups, so the cap is never exceeded.
        let specific = self.problems.len() < MAX_PROBLEM_GROUPS - 2;
        let (message, location) = if specific {
            (message.to_owned(), location.map(str::to_owned))
        } else {
            let overflow = format!(
                "(other {kind}s: more distinct messages than the {MAX_PROBLEM_GROUPS} kept)"
            );
            if let Some(group) = self
                .problems
                .iter_mut()
                .find(|g| g.kind == kind && g.message == overflow)
            {
                group.count += count;
                return;
            }
            (overflow, None)
        };
        self.problems.push(ProblemGroup {
            kind,
            message,
            location,
            count,
        });
    }

    /// Problem groups, most frequent first (ties in first-seen order).
    pub fn problems_by_count(&self) -> Vec<&ProblemGroup> {
        let mut groups: Vec<&ProblemGroup> = self.problems.iter().collect();
        groups.sort_by_key(|g| std::cmp::Reverse(g.count));
        groups
    }

    /// Total HTTP requests over all names.
    pub fn request_count(&self) -> u64 {
        self.requests.values().map(|r| r.count).sum()
    }

    /// All request times together.
    pub fn all_request_times(&self) -> Histogram {
        self.all_requests().time
    }

    /// Every request name's figures added into one row: the overall row of a report.
    pub fn all_requests(&self) -> RequestStats {
        let mut all = RequestStats::default();
        for r in self.requests.values() {
            all.merge(r);
        }
        all
    }
}

#[cfg(test)]
mod tests;
