//! The shapes of a load beyond "N users at once": ramps, user targets over time (`--stages`),
//! arrival rates (`--rate`, `--rate-stages`) and think time, with their command-line parsers.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::plan::duration::{parse_duration, secs};
use crate::plan::error::PlanError;

/// How the users of a stage start (`--ramp-up 30s [--ramp random]`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ramp {
    /// The users of each stage start within this time from the stage's start.
    #[serde(with = "secs")]
    pub over: Duration,
    /// At random moments within it, rather than evenly spaced.
    pub random: bool,
}

impl Ramp {
    /// When each of `users` starts, from the stage's start, in order; random moments are drawn
    /// from `seed` when given (every segment of a run draws the same), fresh ones otherwise.
    pub fn offsets(&self, users: u32, seed: Option<u64>) -> Vec<Duration> {
        let n = users.max(1);
        if self.random {
            let mut rng = seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed);
            let mut offsets: Vec<Duration> =
                (0..users).map(|_| self.over.mul_f64(rng.f64())).collect();
            offsets.sort_unstable();
            offsets
        } else {
            // User k of n starts at k/n of the ramp: the first at once, none at its very end.
            (0..users)
                .map(|k| self.over.mul_f64(f64::from(k) / f64::from(n)))
                .collect()
        }
    }
}

/// One `--stages` entry: move toward `users` linearly over `over`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Users active at the end of the stage.
    pub users: u32,
    /// How long the stage lasts.
    #[serde(with = "secs")]
    pub over: Duration,
}

/// Users wanted `elapsed` into a stage that goes from `from` to `to` users over `over`:
/// rounded toward where the stage started, so that the target is reached at its end.
pub fn users_at(from: u32, to: u32, over: Duration, elapsed: Duration) -> u32 {
    if elapsed >= over || over.is_zero() {
        return to;
    }
    let part = elapsed.as_secs_f64() / over.as_secs_f64();
    let exact = f64::from(from) + (f64::from(to) - f64::from(from)) * part;
    if to >= from {
        exact.floor() as u32
    } else {
        exact.ceil() as u32
    }
}

/// The open model: hits start at a rate, whatever the response times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// Hits per second at the start.
    pub start: f64,
    /// Then linearly toward each stage's rate over its duration (`--rate 500/s -d 10s` is one
    /// stage from 500 to 500).
    pub stages: Vec<RateStage>,
    /// At most this many virtual users at once (`--max-users`).
    pub max_users: u32,
    /// A hit that could not start within this long of when it was due, because every user was
    /// busy, is dropped (`--max-delay`).
    #[serde(with = "secs")]
    pub max_delay: Duration,
}

/// One `--rate-stages` entry.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateStage {
    /// Hits per second at the end of the stage.
    pub per_sec: f64,
    /// How long the stage lasts.
    #[serde(with = "secs")]
    pub over: Duration,
}

/// Users the open model may use when `--max-users` is not given.
pub const DEFAULT_MAX_USERS: u32 = 1000;
/// How late a hit may start when `--max-delay` is not given.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(1);

impl Rate {
    /// How long the schedule lasts.
    pub fn duration(&self) -> Duration {
        self.stages.iter().map(|s| s.over).sum()
    }

    /// Hits due in the first `elapsed` of the schedule (the integral of the rate).
    pub fn due_by(&self, elapsed: Duration) -> f64 {
        let mut from = self.start;
        let mut left = elapsed.as_secs_f64();
        let mut total = 0.0;
        for stage in &self.stages {
            let over = stage.over.as_secs_f64();
            let t = left.min(over);
            let slope = (stage.per_sec - from) / over;
            total += from * t + slope * t * t / 2.0;
            left -= t;
            from = stage.per_sec;
            if left <= 0.0 {
                break;
            }
        }
        total
    }

    /// How many hits a stream that gets `share` of the rate has due over the whole schedule:
    /// the arrivals that [`due`](Self::due) gives a time, numbered from 0.
    pub fn arrivals(&self, share: f64) -> u64 {
        let mut k = (self.due_by(self.duration()) * share).ceil().max(0.0) as u64;
        while k > 0 && self.due(k - 1, share).is_none() {
            k -= 1;
        }
        while self.due(k, share).is_some() {
            k += 1;
        }
        k
    }

    /// When hit `k` (from 0) of a stream that gets `share` of the rate is due, from the
    /// schedule's start; `None` once the schedule has ended first. Hit k is due when
    /// `share × due_by(t)` reaches k, so hit 0 is due at once at any rate.
    pub fn due(&self, k: u64, share: f64) -> Option<Duration> {
        let mut need = k as f64 / share;
        let mut from = self.start;
        let mut offset = 0.0;
        for stage in &self.stages {
            let over = stage.over.as_secs_f64();
            let slope = (stage.per_sec - from) / over;
            let in_stage = from * over + slope * over * over / 2.0;
            // A stage at rate 0 throughout has no hit of its own.
            if need <= in_stage && in_stage > 0.0 {
                // Solve from·t + slope·t²/2 = need for the smallest t ≥ 0.
                let t = if slope.abs() < 1e-12 {
                    if from <= 0.0 {
                        return None;
                    }
                    need / from
                } else {
                    let disc = (from * from + 2.0 * slope * need).max(0.0);
                    (-from + disc.sqrt()) / slope
                };
                let t = t.clamp(0.0, over);
                // The end of the schedule belongs to the next run, not this one.
                if offset + t >= self.duration().as_secs_f64() {
                    return None;
                }
                return Some(Duration::from_secs_f64(offset + t));
            }
            need -= in_stage;
            offset += over;
            from = stage.per_sec;
        }
        None
    }
}

/// Think time between a user's hits (`--think 200ms`, `--think 100ms..500ms`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Think {
    /// Shortest pause.
    #[serde(with = "secs")]
    pub min: Duration,
    /// Longest pause (equal to `min` for a fixed one).
    #[serde(with = "secs")]
    pub max: Duration,
}

impl Think {
    /// A pause, uniform between `min` and `max`.
    pub fn pick(&self) -> Duration {
        if self.max <= self.min {
            return self.min;
        }
        self.min + (self.max - self.min).mul_f64(fastrand::f64())
    }
}

/// `--think 200ms` or `--think 100ms..500ms`.
pub fn parse_think(text: &str) -> Result<Think, PlanError> {
    let bad = || PlanError::Think(text.to_owned());
    let (min, max) = match text.split_once("..") {
        Some((a, b)) => (
            parse_pause(a).ok_or_else(bad)?,
            parse_pause(b).ok_or_else(bad)?,
        ),
        None => {
            let d = parse_pause(text).ok_or_else(bad)?;
            (d, d)
        }
    };
    if min > max {
        return Err(bad());
    }
    Ok(Think { min, max })
}

/// A pause may be zero (`--think 0..200ms`), unlike a stage.
fn parse_pause(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.parse::<f64>() == Ok(0.0) || humantime::parse_duration(text) == Ok(Duration::ZERO) {
        return Some(Duration::ZERO);
    }
    parse_duration(text).ok()
}

/// `--stages '10@30s, 50@2m, 0@30s'`.
pub fn parse_targets(text: &str) -> Result<Vec<Target>, PlanError> {
    let bad = |entry: &str| PlanError::Stages {
        entry: entry.trim().to_owned(),
        list: text.to_owned(),
    };
    let targets = text
        .split(',')
        .map(|entry| {
            let (users, over) = entry.split_once('@').ok_or_else(|| bad(entry))?;
            Ok(Target {
                users: users.trim().parse().map_err(|_| bad(entry))?,
                over: parse_duration(over).map_err(|_| bad(entry))?,
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    if targets.iter().all(|t| t.users == 0) {
        return Err(PlanError::NoUsers(text.to_owned()));
    }
    Ok(targets)
}

/// `500/s`, `30/m`, `3600/h` or a bare number per second.
pub fn parse_rate(text: &str) -> Result<f64, PlanError> {
    let bad = || PlanError::Rate(text.to_owned());
    let trimmed = text.trim();
    let (count, per) = match trimmed.split_once('/') {
        Some((count, unit)) => {
            let per = match unit.trim() {
                "s" | "1s" | "sec" | "second" => 1.0,
                "m" | "1m" | "min" | "minute" => 60.0,
                "h" | "1h" | "hour" => 3600.0,
                _ => return Err(bad()),
            };
            (count.trim(), per)
        }
        None => (trimmed, 1.0),
    };
    let rate = count.parse::<f64>().map_err(|_| bad())? / per;
    if !rate.is_finite() || rate <= 0.0 || rate > MAX_RATE {
        return Err(bad());
    }
    Ok(rate)
}

/// The highest rate accepted: a million hits a second is beyond any one generator.
pub const MAX_RATE: f64 = 1_000_000.0;

/// `--rate-stages '100/s@1m, 500/s@2m'`.
pub fn parse_rate_stages(text: &str) -> Result<Vec<RateStage>, PlanError> {
    let bad = |entry: &str| PlanError::RateStages {
        entry: entry.trim().to_owned(),
        list: text.to_owned(),
    };
    text.split(',')
        .map(|entry| {
            let (rate, over) = entry.rsplit_once('@').ok_or_else(|| bad(entry))?;
            let per_sec = if rate.trim() == "0" || rate.trim().starts_with("0/") {
                0.0
            } else {
                parse_rate(rate).map_err(|_| bad(entry))?
            };
            Ok(RateStage {
                per_sec,
                over: parse_duration(over).map_err(|_| bad(entry))?,
            })
        })
        .collect()
}
