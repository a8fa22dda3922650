//! The per-second series of a run, for plots: what completed in each second, and how many users
//! were active.

use serde::{Deserialize, Serialize};

use crate::report::histogram::PackedHistogram;
use crate::report::stats::Stats;

/// One second of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Second {
    /// Seconds since the start of the run: this point covers `[t, t+1)`.
    pub t: u32,
    /// Hits completed (success, errors and failures).
    pub hits: u64,
    /// Hits that ended in an error or a failure.
    pub hit_problems: u64,
    /// HTTP requests completed.
    pub requests: u64,
    /// HTTP requests that counted as errors.
    pub request_errors: u64,
    /// The most users active at once during the second, those that came and went between two
    /// harvests included.
    pub active_users: u64,
    /// Total time of the requests completed in the second (packed: a run keeps one per second).
    pub latency: PackedHistogram,
}

impl Second {
    fn add(&mut self, other: &Second) {
        self.hits += other.hits;
        self.hit_problems += other.hit_problems;
        self.requests += other.requests;
        self.request_errors += other.request_errors;
        // Active users of different processes run at the same time, so they add up.
        self.active_users += other.active_users;
        self.latency.merge(&other.latency.unpack());
    }
}

/// The point of second `t`, created (with the seconds before it) if missing.
fn point(series: &mut Vec<Second>, t: u32) -> &mut Second {
    while series.last().is_none_or(|last| last.t < t) {
        let next = series.last().map_or(0, |last| last.t + 1);
        series.push(Second {
            t: next,
            ..Second::default()
        });
    }
    let index = series
        .binary_search_by_key(&t, |p| p.t)
        .expect("series holds every second up to its last");
    &mut series[index]
}

/// Adds a harvest of `delta` at second `t`, with `active` users active at that moment.
pub(crate) fn record(series: &mut Vec<Second>, t: u32, delta: &Stats, active: u64) {
    let p = point(series, t);
    p.hits += delta.hits.total();
    p.hit_problems += delta.hits.errors + delta.hits.failures;
    let mut latency = p.latency.unpack();
    for r in delta.requests.values() {
        p.requests += r.count;
        p.request_errors += r.errors;
        latency.merge(&r.time);
    }
    p.latency = PackedHistogram::pack(&latency);
    p.active_users = p.active_users.max(active);
}

/// Adds every point of `from`, `shift` seconds later, into `into`.
pub(crate) fn add_shifted(into: &mut Vec<Second>, from: &[Second], shift: u32) {
    for p in from {
        point(into, p.t + shift).add(p);
    }
}

/// Replaces the points of `series` from the first second of `newer` on: snapshots carry only the
/// seconds that may have changed since the previous one.
pub fn splice(series: &mut Vec<Second>, newer: Vec<Second>) {
    if let Some(first) = newer.first() {
        series.retain(|p| p.t < first.t);
        series.extend(newer);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn delta(hits: u64, requests: u64, micros: u64) -> Stats {
        let mut s = Stats::default();
        s.hits.success = hits;
        let r = s.request_entry("GET /");
        r.count = requests;
        for _ in 0..requests {
            r.time.record(Duration::from_micros(micros));
        }
        s
    }

    #[test]
    fn records_fill_gaps_and_accumulate() {
        let mut series = Vec::new();
        record(&mut series, 0, &delta(2, 2, 100), 5);
        record(&mut series, 0, &delta(1, 1, 300), 7);
        record(&mut series, 3, &delta(4, 4, 200), 3);
        assert_eq!(series.iter().map(|p| p.t).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(
            (series[0].hits, series[0].requests, series[0].active_users),
            (3, 3, 7)
        );
        assert_eq!(series[0].latency.unpack().len(), 3);
        assert_eq!(series[1].hits + series[2].hits, 0);
        assert_eq!(series[3].hits, 4);
    }

    #[test]
    fn shifted_addition_aligns_seconds() {
        let mut a = Vec::new();
        record(&mut a, 0, &delta(1, 1, 100), 1);
        record(&mut a, 1, &delta(1, 1, 100), 1);
        let mut merged = Vec::new();
        add_shifted(&mut merged, &a, 0);
        add_shifted(&mut merged, &a, 1);
        let hits: Vec<u64> = merged.iter().map(|p| p.hits).collect();
        assert_eq!(hits, [1, 2, 1]);
        assert_eq!(merged[1].active_users, 2);
    }

    #[test]
    fn splice_replaces_from_the_first_new_second() {
        let mut series = Vec::new();
        for t in 0..3 {
            record(&mut series, t, &delta(1, 0, 0), 1);
        }
        let mut newer = vec![series[2].clone()];
        newer[0].hits = 9;
        newer.push(Second {
            t: 3,
            hits: 4,
            ..Second::default()
        });
        splice(&mut series, newer);
        let hits: Vec<u64> = series.iter().map(|p| p.hits).collect();
        assert_eq!(hits, [1, 1, 9, 4]);
    }
}
