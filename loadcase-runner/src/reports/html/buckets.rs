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

/// A last bucket shorter than this share of its width is not drawn: a rate over the few
/// milliseconds in which a run's last hits finished is noise, and a line drawn to it reads as a
/// ramp-down over the whole second before.
const MIN_LAST_SHARE: f64 = 0.25;

/// What the time plots draw of a series: its buckets, and apart from them a last one too
/// short to draw, for the caption to say so.
pub struct Drawn {
    pub points: Vec<Bucket>,
    pub left_out: Option<Bucket>,
}

/// The buckets of `series` that a plot draws, of a run that ended `end` seconds after its start.
pub fn drawn(series: &[Second], end: f64) -> Drawn {
    let mut points = buckets(series, MAX_POINTS, end);
    let width = points.first().map_or(1.0, |b| b.secs);
    let short = points.len() > 1
        && points
            .last()
            .is_some_and(|b| b.secs < MIN_LAST_SHARE * width);
    let left_out = if short { points.pop() } else { None };
    Drawn { points, left_out }
}

/// `series` in at most `max` buckets of equal whole-second width, of a run that ended `end`
/// seconds after its start: the last bucket covers only what the run had of it (the last
/// second of a run is usually a fraction), and its rates are over that time.
pub fn buckets(series: &[Second], max: usize, end: f64) -> Vec<Bucket> {
    let width = series.len().div_ceil(max.max(1)).max(1);
    let chunks = series.chunks(width).count();
    series
        .chunks(width)
        .enumerate()
        .map(|(i, seconds)| bucket(seconds, (i + 1 == chunks).then_some(end)))
        .collect()
}

/// The bucket of `seconds`, the run's last when it ended at `end`.
fn bucket(seconds: &[Second], end: Option<f64>) -> Bucket {
    let first = &seconds[0];
    let last = &seconds[seconds.len() - 1];
    // Seconds are consecutive when the series is whole, but a spliced or merged one may skip.
    let whole = f64::from(last.t - first.t + 1);
    let covered = end.map_or(whole, |end| end - f64::from(first.t));
    // A series that runs past the end (merged reports, or older ones that credited a harvest
    // to the second it ended in) keeps its whole seconds.
    let secs = if covered > 0.0 && covered < whole {
        covered
    } else {
        whole
    };
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
        let b = buckets(&series, MAX_POINTS, 3600.0);
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
        let b = buckets(&series, MAX_POINTS, 3600.0);
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
    fn the_last_second_is_the_fraction_the_run_had() {
        let series: Vec<Second> = (0..4).map(|t| second(t, 100, &[1000])).collect();
        let b = buckets(&series[..3], MAX_POINTS, 2.25);
        // 100 requests in the quarter second the run had of its third second: 400/s.
        assert_eq!((b[2].start, b[2].secs, b[2].rps), (2.0, 0.25, 400.0));
        assert_eq!(b[2].errors_per_sec, 4.0);
        assert_eq!(
            (b[1].secs, b[1].rps),
            (1.0, 100.0),
            "whole seconds stay whole"
        );
        // Buckets of two seconds, the run ending half way into the second one.
        let b = buckets(&series, 2, 3.5);
        assert_eq!((b[1].start, b[1].secs, b[1].rps), (2.0, 1.5, 200.0 / 1.5));
        // A series past the run's end is drawn as it is.
        let b = buckets(&series, MAX_POINTS, 3.0);
        assert_eq!((b[3].secs, b[3].rps), (1.0, 100.0));
    }

    #[test]
    fn a_last_bucket_too_short_for_a_rate_is_left_out() {
        let series: Vec<Second> = (0..4).map(|t| second(t, 100, &[1000])).collect();
        let short = drawn(&series, 3.05);
        assert_eq!(short.points.len(), 3);
        let left_out = short.left_out.unwrap();
        assert_eq!(left_out.start, 3.0);
        assert!((left_out.secs - 0.05).abs() < 1e-9, "{left_out:?}");
        let long = drawn(&series, 3.25);
        assert_eq!((long.points.len(), long.left_out), (4, None));
        // A run that is all one short fraction is drawn: it has nothing else.
        let alone = drawn(&series[..1], 0.05);
        assert_eq!((alone.points.len(), alone.points[0].secs), (1, 0.05));
    }

    #[test]
    fn empty_seconds_have_no_latency() {
        let b = buckets(&[second(0, 0, &[])], MAX_POINTS, 1.0);
        assert_eq!(b[0].latency, None);
        assert!(buckets(&[], MAX_POINTS, 0.0).is_empty());
    }
}
