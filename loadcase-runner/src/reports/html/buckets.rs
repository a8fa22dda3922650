//! The per-second series gathered into at most a plot's worth of points.
//!
//! A plot is about a thousand pixels wide: an hour of seconds would draw three points per pixel
//! and triple the file. Seconds are grouped into buckets of whole seconds instead, and each
//! bucket's percentiles come from its seconds' histograms merged — exact for the bucket, where
//! averaging per-second percentiles would not be.

use loadcase::report::Histogram;
use loadcase::report::Second;

/// Most points a time plot draws.
pub const MAX_POINTS: usize = 720;

/// One group of consecutive seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    /// Seconds since the start where the bucket begins.
    pub start: f64,
    /// Seconds it covers.
    pub secs: f64,
    /// Requests completed per second.
    pub rps: f64,
    /// Requests that counted as errors, per second.
    pub errors_per_sec: f64,
    /// Hits that ended in an error or failure, per second.
    pub hit_problems_per_sec: f64,
    /// Most users active at once.
    pub users: u64,
    /// Request time percentiles p50, p95, p99 in ms; `None` when no request completed.
    pub latency: Option<[f64; 3]>,
}

impl Bucket {
    /// Where the bucket is plotted: its middle.
    pub fn mid(&self) -> f64 {
        self.start + self.secs / 2.0
    }
}

/// `series` in at most `max` buckets of equal whole-second width (the last may be shorter).
pub fn buckets(series: &[Second], max: usize) -> Vec<Bucket> {
    let width = series.len().div_ceil(max.max(1)).max(1);
    series.chunks(width).map(bucket).collect()
}

fn bucket(seconds: &[Second]) -> Bucket {
    let first = &seconds[0];
    let last = &seconds[seconds.len() - 1];
    // Seconds are consecutive when the series is whole, but a spliced or merged one may skip.
    let secs = f64::from(last.t - first.t + 1);
    let sum = |f: fn(&Second) -> u64| seconds.iter().map(f).sum::<u64>() as f64 / secs;
    let latency = if seconds.len() == 1 {
        percentiles(&first.latency.unpack())
    } else {
        let mut merged = Histogram::default();
        for s in seconds {
            merged.merge(&s.latency.unpack());
        }
        percentiles(&merged)
    };
    Bucket {
        start: f64::from(first.t),
        secs,
        rps: sum(|s| s.requests),
        errors_per_sec: sum(|s| s.request_errors),
        hit_problems_per_sec: sum(|s| s.hit_problems),
        users: seconds.iter().map(|s| s.active_users).max().unwrap_or(0),
        latency,
    }
}

fn percentiles(h: &Histogram) -> Option<[f64; 3]> {
    if h.is_empty() {
        return None;
    }
    let ms = |q| h.quantile(q).as_secs_f64() * 1e3;
    Some([ms(0.50), ms(0.95), ms(0.99)])
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn second(t: u32, requests: u64, micros: &[u64]) -> Second {
        let mut latency = Histogram::default();
        for &m in micros {
            latency.record(Duration::from_micros(m));
        }
        Second {
            t,
            requests,
            request_errors: 1,
            active_users: u64::from(t),
            latency: (&latency).into(),
            ..Second::default()
        }
    }

    #[test]
    fn short_series_keep_every_second() {
        let series: Vec<Second> = (0..5).map(|t| second(t, 10, &[1000])).collect();
        let b = buckets(&series, MAX_POINTS);
        assert_eq!(b.len(), 5);
        assert_eq!((b[3].start, b[3].secs, b[3].rps), (3.0, 1.0, 10.0));
        // 1 ms as the histogram keeps it: to three significant digits.
        let latency = b[3].latency.unwrap();
        assert!(
            latency.iter().all(|ms| (ms - 1.0).abs() < 1e-3),
            "{latency:?}"
        );
    }

    #[test]
    fn long_series_merge_histograms_per_bucket() {
        let series: Vec<Second> = (0..3600)
            .map(|t| second(t, 4, &[1000 + u64::from(t % 2) * 9000]))
            .collect();
        let b = buckets(&series, MAX_POINTS);
        assert_eq!(b.len(), 720);
        assert_eq!((b[1].start, b[1].secs), (5.0, 5.0));
        assert_eq!((b[1].rps, b[1].errors_per_sec, b[1].users), (4.0, 1.0, 9));
        // Seconds 5..10 hold 10 ms, 1 ms, 10 ms, 1 ms, 10 ms: the merged median is 10 ms.
        let [p50, _, p99] = b[1].latency.unwrap();
        assert!(
            (p50 - 10.0).abs() < 0.05 && (p99 - 10.0).abs() < 0.05,
            "{p50} {p99}"
        );
    }

    #[test]
    fn empty_seconds_have_no_latency() {
        let b = buckets(&[second(0, 0, &[])], MAX_POINTS);
        assert_eq!(b[0].latency, None);
        assert!(buckets(&[], MAX_POINTS).is_empty());
    }
}
