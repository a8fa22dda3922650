//! Thresholds: pass/fail criteria over a run's figures, for CI.
//!
//! `[REQUEST NAME:] METRIC OP VALUE`, e.g. `p95<200ms`, `error_rate<1%`, `rps>500`,
//! `GET /login: p99<1s`.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::report::figures::{ALL_REQUESTS, Distribution, Figures};

/// A threshold checked against a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The threshold as written.
    pub threshold: String,
    /// The measured value, formatted in the threshold's unit (`"183.2 ms"`, `"0.4 %"`), or why
    /// there is none (`"no requests named GET /x"`).
    pub measured: String,
    /// Whether the run met it. A threshold over data the run does not have is not met.
    pub passed: bool,
}

/// A parsed threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    text: String,
    /// `None`: all requests (or the hits, for hit metrics).
    scope: Option<String>,
    metric: Metric,
    op: Op,
    limit: f64,
}

/// What a threshold measures.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Metric {
    /// A statistic of a time distribution, in ms.
    Time(Timing, Stat),
    /// Share of requests that errored, 0..=1.
    ErrorRate,
    /// Share of hits that ended in an error or failure, 0..=1.
    HitErrorRate,
    /// Requests per second.
    Rps,
    /// Completed hits per second.
    HitRate,
    /// A count.
    Count(Counted),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Timing {
    Total,
    Ttfb,
    Ttlb,
    Hit,
    /// Open model: hit time from when the hit was due.
    Corrected,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Stat {
    Quantile(f64),
    Mean,
    Min,
    Max,
    Stddev,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Counted {
    Requests,
    Errors,
    Hits,
    HitErrors,
    HitFailures,
    Dropped,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Op::Lt => value < limit,
            Op::Le => value <= limit,
            Op::Gt => value > limit,
            Op::Ge => value >= limit,
        }
    }
}

/// What [`Threshold::parse`] rejects, with the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("threshold `{text}`: {problem}")]
pub struct ThresholdError {
    text: String,
    problem: String,
}

const METRICS_HELP: &str = "metrics are p1, p5, p25, p50, p75, p90, p95, p99, p99.9, med, avg, min, max, stddev of request time (prefix ttfb_, ttlb_, hit_ or corrected_ for time to first byte, to last byte, hit time, or with --rate hit time from when each hit was due), error_rate, hit_error_rate, rps, hit_rate, requests, errors, hits, hit_errors, failures, dropped";

impl Threshold {
    /// Parses `[REQUEST NAME:] METRIC OP VALUE`.
    ///
    /// ```
    /// use loadcase::report::Threshold;
    /// assert!(Threshold::parse("p95<200ms").is_ok());
    /// assert!(Threshold::parse("GET /login: p99 < 1s").is_ok());
    /// let error = Threshold::parse("p95<200").unwrap_err().to_string();
    /// assert!(error.contains("unit"), "{error}");
    /// ```
    pub fn parse(text: &str) -> Result<Threshold, ThresholdError> {
        let fail = |problem: String| ThresholdError {
            text: text.to_owned(),
            problem,
        };
        let (scope, rest) = match text.rsplit_once(':') {
            Some((scope, rest)) if !scope.trim().is_empty() => (Some(scope.trim()), rest),
            Some(_) => return Err(fail("nothing before `:`; give a request name, e.g. `GET /login: p99<1s`, or drop the `:`".into())),
            None => (None, text),
        };
        let at = rest.find(['<', '>']).ok_or_else(|| {
            fail(
                "no comparison; write METRIC<VALUE or METRIC>VALUE, e.g. `p95<200ms`, `rps>500`"
                    .into(),
            )
        })?;
        let (metric_text, after) = rest.split_at(at);
        let (op, value_text) = match after.as_bytes() {
            [b'<', b'=', ..] => (Op::Le, &after[2..]),
            [b'>', b'=', ..] => (Op::Ge, &after[2..]),
            [b'<', ..] => (Op::Lt, &after[1..]),
            _ => (Op::Gt, &after[1..]),
        };
        let metric_text = metric_text.trim();
        let metric = parse_metric(metric_text)
            .ok_or_else(|| fail(format!("unknown metric `{metric_text}`; {METRICS_HELP}")))?;
        if scope.is_some()
            && matches!(
                metric,
                Metric::HitErrorRate
                    | Metric::HitRate
                    | Metric::Count(
                        Counted::Hits
                            | Counted::HitErrors
                            | Counted::HitFailures
                            | Counted::Dropped
                    )
                    | Metric::Time(Timing::Hit | Timing::Corrected, _)
            )
        {
            return Err(fail(format!(
                "`{metric_text}` is about hits, not requests; drop the request name"
            )));
        }
        let limit = parse_value(metric, value_text.trim()).map_err(fail)?;
        Ok(Threshold {
            text: text.trim().to_owned(),
            scope: scope.map(str::to_owned),
            metric,
            op,
            limit,
        })
    }

    /// Checks the threshold against a run's figures.
    pub fn check(&self, figures: &Figures) -> Verdict {
        let verdict = |measured: String, passed| Verdict {
            threshold: self.text.clone(),
            measured,
            passed,
        };
        let name = self.scope.as_deref().unwrap_or(ALL_REQUESTS);
        let Some(row) = figures.request(name) else {
            return verdict(format!("no requests named `{name}`"), false);
        };
        let value = match self.metric {
            Metric::Time(timing, stat) => {
                let d = match timing {
                    Timing::Total => &row.time,
                    Timing::Ttfb => &row.ttfb,
                    Timing::Ttlb => &row.ttlb,
                    Timing::Hit => &figures.hits.time,
                    Timing::Corrected => &figures.hits.corrected,
                };
                if d.count == 0 {
                    return verdict("no data (nothing was timed)".into(), false);
                }
                stat_of(d, stat)
            }
            Metric::ErrorRate if row.count == 0 => {
                return verdict("no data (no requests)".into(), false);
            }
            Metric::HitErrorRate if figures.hits.total == 0 => {
                return verdict("no data (no hits)".into(), false);
            }
            Metric::ErrorRate => row.error_rate,
            Metric::HitErrorRate => figures.hits.error_rate,
            Metric::Rps => row.rps,
            Metric::HitRate => figures.hits.rate,
            Metric::Count(c) => {
                (match c {
                    Counted::Requests => row.count,
                    Counted::Errors => row.errors,
                    Counted::Hits => figures.hits.total,
                    Counted::HitErrors => figures.hits.errors,
                    Counted::HitFailures => figures.hits.failures,
                    Counted::Dropped => figures.hits.dropped,
                }) as f64
            }
        };
        verdict(
            format_value(self.metric, value),
            self.op.holds(value, self.limit),
        )
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Parses every threshold, or says which is wrong.
pub fn parse_thresholds<S: AsRef<str>>(texts: &[S]) -> Result<Vec<Threshold>, ThresholdError> {
    texts.iter().map(|t| Threshold::parse(t.as_ref())).collect()
}

/// Checks every threshold against `figures`.
pub fn check_thresholds(thresholds: &[Threshold], figures: &Figures) -> Vec<Verdict> {
    thresholds.iter().map(|t| t.check(figures)).collect()
}

fn stat_of(d: &Distribution, stat: Stat) -> f64 {
    match stat {
        Stat::Mean => d.mean_ms,
        Stat::Min => d.min_ms,
        Stat::Max => d.max_ms,
        Stat::Stddev => d.stddev_ms,
        Stat::Quantile(q) => {
            // Figures keep a fixed set of percentiles; others are not needed by the summary,
            // so they are not precomputed: any q is one of them or read via its label.
            let label = format!("p{}", trim_float(q * 100.0));
            d.percentile(&label).unwrap_or(f64::NAN)
        }
    }
}

fn parse_metric(text: &str) -> Option<Metric> {
    let counted = |c| Some(Metric::Count(c));
    match text {
        "error_rate" | "http_req_failed" => return Some(Metric::ErrorRate),
        "hit_error_rate" => return Some(Metric::HitErrorRate),
        "rps" => return Some(Metric::Rps),
        "hit_rate" | "hps" => return Some(Metric::HitRate),
        "requests" => return counted(Counted::Requests),
        "errors" => return counted(Counted::Errors),
        "hits" => return counted(Counted::Hits),
        "hit_errors" => return counted(Counted::HitErrors),
        "failures" | "hit_failures" => return counted(Counted::HitFailures),
        "dropped" => return counted(Counted::Dropped),
        _ => {}
    }
    let (timing, stat) = if let Some(s) = text.strip_prefix("ttfb_") {
        (Timing::Ttfb, s)
    } else if let Some(s) = text.strip_prefix("ttlb_") {
        (Timing::Ttlb, s)
    } else if let Some(s) = text.strip_prefix("hit_") {
        (Timing::Hit, s)
    } else if let Some(s) = text.strip_prefix("corrected_") {
        (Timing::Corrected, s)
    } else {
        (Timing::Total, text)
    };
    let stat = match stat {
        "avg" | "mean" => Stat::Mean,
        "min" => Stat::Min,
        "max" => Stat::Max,
        "med" | "median" => Stat::Quantile(0.5),
        "stddev" => Stat::Stddev,
        _ => {
            let digits = stat.strip_prefix('p')?;
            let digits = digits
                .strip_prefix('(')
                .and_then(|d| d.strip_suffix(')'))
                .unwrap_or(digits);
            let p: f64 = digits.parse().ok()?;
            let label = format!("p{}", trim_float(p));
            if !crate::report::figures::PERCENTILES
                .iter()
                .any(|(l, _)| *l == label)
            {
                return None;
            }
            Stat::Quantile(p / 100.0)
        }
    };
    Some(Metric::Time(timing, stat))
}

fn parse_value(metric: Metric, text: &str) -> Result<f64, String> {
    match metric {
        Metric::Time(..) => {
            if text.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return Err(format!(
                    "`{text}` has no unit; write e.g. `{text}ms` or `{text}s`"
                ));
            }
            let d = parse_duration(text).ok_or_else(|| {
                format!("`{text}` is not a duration; write e.g. `200ms`, `1.5s`, `500us`")
            })?;
            Ok(d.as_secs_f64() * 1e3)
        }
        Metric::ErrorRate | Metric::HitErrorRate => {
            let not_a_rate = || {
                format!(
                    "`{text}` is not a rate; write a percentage like `1%` or a fraction like `0.01`"
                )
            };
            match text.strip_suffix('%') {
                Some(pct) => {
                    let rate = pct.trim().parse::<f64>().map_err(|_| not_a_rate())? / 100.0;
                    if !(0.0..=1.0).contains(&rate) {
                        return Err(format!("`{text}` is not between 0% and 100%"));
                    }
                    Ok(rate)
                }
                None => {
                    let rate = text.parse::<f64>().map_err(|_| not_a_rate())?;
                    // `error_rate<1` would mean 100 % and always hold: a bare number is a
                    // fraction below 1, so that a percentage without its sign is refused.
                    if !(0.0..1.0).contains(&rate) {
                        return Err(format!(
                            "`{text}` is not a fraction from 0 to below 1 (1 would be 100 %); write a percentage with its sign, e.g. `{text}%`, or a fraction like `0.01`"
                        ));
                    }
                    Ok(rate)
                }
            }
        }
        Metric::Rps | Metric::HitRate | Metric::Count(_) => {
            let number = text.strip_suffix("/s").unwrap_or(text).trim();
            number
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("`{text}` is not a number; write e.g. `500`"))
        }
    }
}

/// `200ms`, `1.5s`, `500us`/`500µs`, `2m`.
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(number * scale).ok()
}

fn trim_float(v: f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn format_value(metric: Metric, value: f64) -> String {
    match metric {
        Metric::Time(..) => format!("{value:.1} ms"),
        Metric::ErrorRate | Metric::HitErrorRate => format!("{:.2} %", value * 100.0),
        Metric::Rps | Metric::HitRate => format!("{value:.1}/s"),
        Metric::Count(_) => format!("{value}"),
    }
}

#[cfg(test)]
mod tests;
