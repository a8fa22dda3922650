//! Derived statistics of a report: the figures a person reads (percentiles, rates, spreads),
//! computed from the histograms, for summaries, thresholds and every report format.
//!
//! Times are milliseconds as `f64` (the histograms keep microseconds to 3 significant digits);
//! rates are over the run's real elapsed time.

use serde::{Deserialize, Serialize};

use crate::report::histogram::Histogram;
use crate::report::model::Report;
use crate::report::stats::RequestStats;

/// The percentiles every distribution reports, as `(label, quantile)`.
pub const PERCENTILES: [(&str, f64); 9] = [
    ("p1", 0.01),
    ("p5", 0.05),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
    ("p99", 0.99),
    ("p99.9", 0.999),
];

/// Summary of one histogram, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Values recorded.
    pub count: u64,
    /// Smallest value.
    pub min_ms: f64,
    /// Largest value.
    pub max_ms: f64,
    /// Arithmetic mean.
    pub mean_ms: f64,
    /// Population standard deviation.
    pub stddev_ms: f64,
    /// Standard deviation relative to the mean (0.1 is 10 %); 0 when the mean is 0.
    pub rel_stddev: f64,
    /// The [`PERCENTILES`], in that order, as `(label, milliseconds)`.
    pub percentiles: Vec<(String, f64)>,
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

impl Distribution {
    /// The figures of `h`; all zero when it is empty.
    pub fn of(h: &Histogram) -> Distribution {
        let mean = ms(h.mean());
        let stddev = ms(h.stddev());
        Distribution {
            count: h.len(),
            min_ms: ms(h.min()),
            max_ms: ms(h.max()),
            mean_ms: mean,
            stddev_ms: stddev,
            rel_stddev: if mean > 0.0 { stddev / mean } else { 0.0 },
            percentiles: PERCENTILES
                .iter()
                .map(|(label, q)| ((*label).to_owned(), ms(h.quantile(*q))))
                .collect(),
        }
    }

    /// The percentile labelled `label` (`"p95"`), if it is one of [`PERCENTILES`].
    pub fn percentile(&self, label: &str) -> Option<f64> {
        self.percentiles
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| *v)
    }
}

/// One request name's figures (or all requests together).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestFigures {
    /// The request name, or `"All requests"` for the overall row.
    pub name: String,
    /// Requests sent.
    pub count: u64,
    /// Requests that counted as errors.
    pub errors: u64,
    /// `errors / count`; 0 without requests.
    pub error_rate: f64,
    /// Requests per second over the run.
    pub rps: f64,
    /// Total time of every request.
    pub time: Distribution,
    /// Time to first byte.
    pub ttfb: Distribution,
    /// Time to last byte.
    pub ttlb: Distribution,
    /// Request body bytes sent.
    pub bytes_sent: u64,
    /// Response body bytes received.
    pub bytes_received: u64,
}

impl RequestFigures {
    /// The figures of `stats`, named `name`, over `elapsed_secs`.
    pub fn of(name: &str, stats: &RequestStats, elapsed_secs: f64) -> RequestFigures {
        RequestFigures {
            name: name.to_owned(),
            count: stats.count,
            errors: stats.errors,
            error_rate: ratio(stats.errors, stats.count),
            rps: rate(stats.count, elapsed_secs),
            time: Distribution::of(&stats.time),
            ttfb: Distribution::of(&stats.ttfb),
            ttlb: Distribution::of(&stats.ttlb),
            bytes_sent: stats.bytes_sent,
            bytes_received: stats.bytes_received,
        }
    }
}

/// Hits of the test and how they ended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HitFigures {
    /// Completed hits.
    pub total: u64,
    /// Successful hits.
    pub success: u64,
    /// Hits that ended in an error.
    pub errors: u64,
    /// Hits that ended in a failure.
    pub failures: u64,
    /// Hits cancelled at the end of a grace period.
    pub cancelled: u64,
    /// `(errors + failures) / total`; 0 without hits.
    pub error_rate: f64,
    /// Completed hits per second over the run.
    pub rate: f64,
    /// Hit durations (service time, from when each hit started).
    pub time: Distribution,
    /// Open model: hits due that never started.
    #[serde(default)]
    pub dropped: u64,
    /// Open model: hit durations from when each hit was due (coordinated omission corrected);
    /// empty in the closed model.
    #[serde(default)]
    pub corrected: Distribution,
}

/// One second of the series, as plotted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SecondFigures {
    /// Seconds since the start.
    pub t: u32,
    /// Hits completed in the second.
    pub hits: u64,
    /// Hits that ended in an error or failure.
    pub hit_problems: u64,
    /// Requests completed in the second.
    pub requests: u64,
    /// Requests that counted as errors.
    pub request_errors: u64,
    /// Most users active at once.
    pub active_users: u64,
    /// Median request time, ms.
    pub p50_ms: f64,
    /// 95th percentile request time, ms.
    pub p95_ms: f64,
    /// 99th percentile request time, ms.
    pub p99_ms: f64,
}

/// Every derived figure of a report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Real elapsed time, seconds.
    pub elapsed_secs: f64,
    /// The test's hits.
    pub hits: HitFigures,
    /// All requests together.
    pub overall: RequestFigures,
    /// Per request name, in name order.
    pub requests: Vec<RequestFigures>,
    /// Per second.
    pub series: Vec<SecondFigures>,
}

/// The name of the overall row.
pub const ALL_REQUESTS: &str = "All requests";

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn rate(count: u64, secs: f64) -> f64 {
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}

impl Figures {
    /// Computes every figure of `report`.
    pub fn of(report: &Report) -> Figures {
        let secs = report.elapsed_secs;
        let stats = &report.stats;
        let h = &stats.hits;
        Figures {
            elapsed_secs: secs,
            hits: HitFigures {
                total: h.total(),
                success: h.success,
                errors: h.errors,
                failures: h.failures,
                cancelled: h.cancelled,
                error_rate: ratio(h.errors + h.failures, h.total()),
                rate: rate(h.total(), secs),
                time: Distribution::of(&h.time),
                dropped: h.dropped,
                corrected: Distribution::of(&h.corrected),
            },
            overall: RequestFigures::of(ALL_REQUESTS, &stats.all_requests(), secs),
            requests: stats
                .requests
                .iter()
                .map(|(name, r)| RequestFigures::of(name, r, secs))
                .collect(),
            series: report
                .series
                .iter()
                .map(|p| (p, p.latency.unpack()))
                .map(|(p, latency)| SecondFigures {
                    t: p.t,
                    hits: p.hits,
                    hit_problems: p.hit_problems,
                    requests: p.requests,
                    request_errors: p.request_errors,
                    active_users: p.active_users,
                    p50_ms: ms(latency.quantile(0.50)),
                    p95_ms: ms(latency.quantile(0.95)),
                    p99_ms: ms(latency.quantile(0.99)),
                })
                .collect(),
        }
    }

    /// The row of request `name`, or the overall row for [`ALL_REQUESTS`].
    pub fn request(&self, name: &str) -> Option<&RequestFigures> {
        if name == ALL_REQUESTS {
            return Some(&self.overall);
        }
        self.requests.iter().find(|r| r.name == name)
    }
}

#[cfg(test)]
mod tests;
