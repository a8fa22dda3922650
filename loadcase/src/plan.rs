//! The load plan: stages of users, hits per user or a duration per stage, parsed from the
//! Loads-compatible command line (`-u 10:20:30 --hits 20`, `-d 30s`); or users moving toward
//! targets (`--stages`), or an arrival rate (`--rate`); with ramps, pauses and think time.

use std::time::Duration;

use serde::{Deserialize, Serialize};

mod args;
mod options;
mod shape;

pub use args::PlanArgs;
pub use shape::{
    DEFAULT_MAX_DELAY, DEFAULT_MAX_USERS, MAX_RATE, Ramp, Rate, RateStage, Target, Think, users_at,
};

/// What to run: stages one after another, all users of a stage at once (or spread over
/// [`ramp`](Self::ramp)); or, when set, [`targets`](Self::targets) or a [`rate`](Self::rate).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Users of each stage.
    pub users: Vec<u32>,
    /// How long each user goes on.
    pub length: Length,
    /// Base URL for [`cx.app`](crate::App), overriding `LOADCASE_SERVER_URL` and the attribute.
    pub server_url: Option<String>,
    /// Where to log every request (`--log-requests`), if anywhere.
    #[serde(default)]
    pub log: Option<crate::request_log::LogSpec>,
    /// Users of each stage start over this time rather than at once (`--ramp-up`).
    #[serde(default)]
    pub ramp: Option<Ramp>,
    /// A pause between stages (`--stage-pause`).
    #[serde(default, with = "opt_secs")]
    pub stage_pause: Option<Duration>,
    /// `--stages`: users move linearly toward each target over its duration; replaces
    /// [`users`](Self::users) and [`length`](Self::length) when not empty.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// `--rate`: the open model; replaces users, length and targets when set.
    #[serde(default)]
    pub rate: Option<Rate>,
    /// Think time between a user's hits (`--think`).
    #[serde(default)]
    pub think: Option<Think>,
    /// A hit running longer is cancelled and counted as an error (`--hit-timeout`).
    #[serde(default, with = "opt_secs")]
    pub hit_timeout: Option<Duration>,
    /// Default timeout of each session request (`--request-timeout`; a request's own
    /// `.timeout(…)` wins). `None`: [`DEFAULT_REQUEST_TIMEOUT`](crate::DEFAULT_REQUEST_TIMEOUT).
    #[serde(default, with = "opt_secs")]
    pub request_timeout: Option<Duration>,
    /// Several tests in one run, by weight (`cargo loadrun a:3 b:1`): libtest names and
    /// weights. Empty for a single test.
    #[serde(default)]
    pub mix: Vec<(String, u32)>,
}

mod opt_secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.map(Duration::from_secs_f64))
    }
}

/// How long each user of a stage runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Length {
    /// Each user runs the sum of these hits (Loads' `--hits 5:10` is 15 hits per user).
    Hits(Vec<u64>),
    /// Each stage lasts this long; users loop until it ends.
    Duration(#[serde(with = "secs")] Duration),
}

pub(crate) mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_secs_f64(f64::deserialize(d)?))
    }
}

/// A schedule given on the command line that cannot be run, with the fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    /// `-u` with something that is not a positive count.
    #[error(
        "--users: `{value}` is not a number of users (in `{list}`); give each stage a count from 1 to 4294967295, colon-separated, e.g. -u 10:20:30"
    )]
    Users {
        /// The offending stage.
        value: String,
        /// The whole list.
        list: String,
    },
    /// `-c`/`--hits` with something that is not a positive count.
    #[error(
        "--hits: `{value}` is not a number of hits (in `{list}`); give a count from 1 to 18446744073709551615, colon-separated, e.g. --hits 20 or -c 5:10"
    )]
    Hits {
        /// The offending entry.
        value: String,
        /// The whole list.
        list: String,
    },
    /// `-d` that does not parse.
    #[error(
        "--duration: `{0}` is not a duration; write e.g. 30s, 2m, 1h30m, 500ms or a number of seconds"
    )]
    Duration(String),
    /// `-d 0`.
    #[error("--duration: a stage must last longer than zero; write e.g. -d 10s")]
    ZeroDuration,
    /// A duration beyond [`MAX_DURATION`].
    #[error(
        "--duration: `{0}` is longer than a stage may last (365 days); write a shorter duration, e.g. -d 1h"
    )]
    DurationTooLong(String),
    /// More hits than a run can count.
    #[error(
        "--users × --hits is more hits than loadcase can count (2^64); give fewer users or hits"
    )]
    TooManyHits,
    /// Both `--hits` and `--duration`.
    #[error(
        "--hits and --duration exclude each other: give a number of hits per user, or a duration per stage"
    )]
    HitsAndDuration,
    /// `--think` that does not parse.
    #[error(
        "--think: `{0}` is not a pause; write e.g. --think 200ms, or a range --think 100ms..500ms"
    )]
    Think(String),
    /// A `--stages` entry that does not parse.
    #[error(
        "--stages: `{entry}` (in `{list}`) is not USERS@DURATION; write e.g. --stages '10@30s, 50@2m, 0@30s'"
    )]
    Stages {
        /// The offending entry.
        entry: String,
        /// The whole list.
        list: String,
    },
    /// `--stages` whose targets are all zero.
    #[error("--stages: `{0}` never has a user; give at least one stage a target above 0")]
    NoUsers(String),
    /// `--rate` that does not parse.
    #[error(
        "--rate: `{0}` is not a rate; write hits per second or minute above 0, e.g. --rate 500/s or --rate 30/m (at most 1000000/s)"
    )]
    Rate(String),
    /// A `--rate-stages` entry that does not parse.
    #[error(
        "--rate-stages: `{entry}` (in `{list}`) is not RATE@DURATION; write e.g. --rate-stages '100/s@1m, 500/s@2m'"
    )]
    RateStages {
        /// The offending entry.
        entry: String,
        /// The whole list.
        list: String,
    },
    /// Options that do not go together.
    #[error("{first} and {second} exclude each other: {why}")]
    Conflict {
        /// One option.
        first: &'static str,
        /// The other.
        second: &'static str,
        /// Why, and what to do instead.
        why: &'static str,
    },
    /// An option that needs another.
    #[error("{option} needs {needs}")]
    Needs {
        /// The option given.
        option: &'static str,
        /// What it needs, with an example.
        needs: &'static str,
    },
    /// `--ramp` other than linear or random.
    #[error("--ramp: `{0}` is not a ramp; write --ramp linear (the default) or --ramp random")]
    RampKind(String),
    /// A ramp longer than the stages it spreads users over.
    #[error(
        "--ramp-up {ramp} is longer than each stage ({stage}); users would start after their stage ended. Give a shorter --ramp-up or a longer -d"
    )]
    RampTooLong {
        /// The ramp, as given.
        ramp: String,
        /// The stage duration, as given.
        stage: String,
    },
    /// `--max-users` that is not a positive count.
    #[error(
        "--max-users: `{0}` is not a number of users; give a count from 1, e.g. --max-users 200"
    )]
    MaxUsers(String),
    /// A duration option that does not parse.
    #[error("{option}: `{value}` is not a duration; write e.g. 30s, 500ms or 2m")]
    BadDuration {
        /// The option.
        option: &'static str,
        /// The value given.
        value: String,
    },
}

impl Plan {
    /// One user, one hit: what `cargo test` and a bare `cargo loadrun TEST` run.
    pub fn once() -> Plan {
        Plan {
            users: vec![1],
            length: Length::Hits(vec![1]),
            server_url: None,
            log: None,
            ramp: None,
            stage_pause: None,
            targets: Vec::new(),
            rate: None,
            think: None,
            hit_timeout: None,
            request_timeout: None,
            mix: Vec::new(),
        }
    }

    /// Builds a plan from the command-line strings; `None` means the option was not given.
    pub fn parse(
        users: Option<&str>,
        hits: Option<&str>,
        duration: Option<&str>,
    ) -> Result<Plan, PlanError> {
        let users = match users {
            Some(list) => parse_list(list).map_err(|value| PlanError::Users {
                value,
                list: list.to_owned(),
            })?,
            None => vec![1],
        };
        let length = match (hits, duration) {
            (Some(_), Some(_)) => return Err(PlanError::HitsAndDuration),
            (_, Some(d)) => Length::Duration(parse_duration(d)?),
            (Some(list), None) => {
                Length::Hits(parse_list(list).map_err(|value| PlanError::Hits {
                    value,
                    list: list.to_owned(),
                })?)
            }
            (None, None) => Length::Hits(vec![1]),
        };
        let plan = Plan {
            users,
            length,
            ..Plan::once()
        };
        if let Length::Hits(hits) = &plan.length {
            let per_user = hits.iter().try_fold(0u64, |sum, &h| sum.checked_add(h));
            let users: u64 = plan.users.iter().map(|&u| u64::from(u)).sum();
            per_user
                .and_then(|h| h.checked_mul(users))
                .ok_or(PlanError::TooManyHits)?;
        }
        Ok(plan)
    }

    /// Hits each user runs, or `None` in duration mode.
    pub fn hits_per_user(&self) -> Option<u64> {
        if !self.targets.is_empty() || self.rate.is_some() {
            return None;
        }
        match &self.length {
            Length::Hits(hits) => Some(hits.iter().sum()),
            Length::Duration(_) => None,
        }
    }

    /// All hits of the plan, or `None` in duration mode: sum(users) × sum(hits).
    pub fn total_hits(&self) -> Option<u64> {
        let users: u64 = self.users.iter().map(|&u| u64::from(u)).sum();
        self.hits_per_user().map(|h| h * users)
    }

    /// Planned length in duration mode: stages × duration (and the pauses between them), the
    /// sum of `--stages`, or the rate schedule's length.
    pub fn total_duration(&self) -> Option<Duration> {
        if let Some(rate) = &self.rate {
            return Some(rate.duration());
        }
        if !self.targets.is_empty() {
            return Some(self.targets.iter().map(|t| t.over).sum());
        }
        let pauses = self.stage_pause.unwrap_or_default() * (self.users.len() as u32 - 1);
        match self.length {
            Length::Duration(d) => Some(d * self.users.len() as u32 + pauses),
            Length::Hits(_) => None,
        }
    }

    /// Stages the progress display counts: `-u` stages, `--stages` entries, or rate stages.
    pub fn stage_count(&self) -> usize {
        match &self.rate {
            Some(rate) => rate.stages.len(),
            None if !self.targets.is_empty() => self.targets.len(),
            None => self.users.len(),
        }
    }
}

fn parse_list<T: std::str::FromStr + PartialEq + Default>(list: &str) -> Result<Vec<T>, String> {
    list.split(':')
        .map(|part| {
            let part = part.trim();
            match part.parse::<T>() {
                Ok(n) if n != T::default() => Ok(n),
                _ => Err(part.to_owned()),
            }
        })
        .collect()
}

/// Parses `30s`, `2m`, `1h30m`, `500ms`, `1m 30s`, or a bare number of seconds (Loads' `-d 30`).
pub fn parse_duration(text: &str) -> Result<Duration, PlanError> {
    let trimmed = text.trim();
    let duration = match trimmed.parse::<f64>() {
        Ok(secs) if secs >= 0.0 => Duration::try_from_secs_f64(secs)
            .map_err(|_| PlanError::DurationTooLong(text.to_owned()))?,
        Ok(_) => return Err(PlanError::Duration(text.to_owned())),
        Err(_) => {
            humantime::parse_duration(trimmed).map_err(|_| PlanError::Duration(text.to_owned()))?
        }
    };
    if duration.is_zero() {
        return Err(PlanError::ZeroDuration);
    }
    if duration > MAX_DURATION {
        return Err(PlanError::DurationTooLong(text.to_owned()));
    }
    Ok(duration)
}

/// The longest a stage may last: longer is a typo, and would overflow the clocks.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

#[cfg(test)]
mod tests;
