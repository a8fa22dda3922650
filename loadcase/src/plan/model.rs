//! [`Plan`]: what a run does — its [`Shape`] (stages of users, user targets over time, or an
//! arrival rate) and what applies to every shape (timeouts, the server URL, the request log, a
//! mix of tests).

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::plan::duration::{parse_field, secs};
use crate::plan::error::{PlanError, PlanField};
use crate::plan::log::LogSpec;
use crate::plan::segment::Segment;
use crate::plan::shape::{Ramp, Rate, Target, Think};

/// What to run. Built from the runner's options by [`Plan::parse_args`], or in code:
///
/// ```
/// use loadcase::Plan;
/// use loadcase::plan::{Length, Shape};
///
/// let plan = Plan::parse(Some("10:20:30"), Some("20"), None).unwrap();
/// assert_eq!(plan.total_hits(), Some(1200));
/// let Shape::Fixed { users, length, .. } = &plan.shape else { unreachable!() };
/// assert_eq!((users.as_slice(), length), (&[10, 20, 30][..], &Length::Hits(vec![20])));
/// ```
///
/// It serializes with serde in the flat form that reports have always used.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// How users and hits are scheduled.
    pub shape: Shape,
    /// Base URL for [`cx.app`](crate::App), overriding `LOADCASE_SERVER_URL` and the test's own.
    pub server_url: Option<String>,
    /// Where to log every request (`--log-requests`), if anywhere.
    pub log: Option<LogSpec>,
    /// A hit running longer is cancelled and counted as an error (`--hit-timeout`).
    pub hit_timeout: Option<Duration>,
    /// Default timeout of each session request (`--request-timeout`; a request's own
    /// `.timeout(…)` wins). `None`: [`DEFAULT_REQUEST_TIMEOUT`](crate::DEFAULT_REQUEST_TIMEOUT).
    pub request_timeout: Option<Duration>,
    /// The most of a response's body a session keeps in memory (`--body-limit`); a larger body
    /// is read, counted and timed, not kept. `None`:
    /// [`DEFAULT_BODY_LIMIT`](crate::DEFAULT_BODY_LIMIT).
    pub body_limit: Option<u64>,
    /// A PEM file of CA certificates to trust besides the platform's (`--ca-cert`), for every
    /// TLS connection of the run: HTTPS and `wss://`. A server that presents one of them as its
    /// own certificate is trusted as given, its name still checked.
    pub ca_cert: Option<PathBuf>,
    /// Check no TLS certificate at all (`--insecure`): any issuer, name and date is accepted.
    /// The summary says so.
    pub insecure: bool,
    /// Several tests in one run, by weight (`cargo loadrun a:3 b:1`): libtest names and
    /// weights. Empty for a single test.
    pub mix: Vec<(String, u32)>,
    /// The share of the plan this process runs (`--segment 2/3`); the whole plan by default.
    pub segment: Segment,
    /// What random choices (`--ramp random`) are drawn from, so that every segment of a run
    /// draws the same ones; fresh ones each run when `None`.
    pub seed: Option<u64>,
    /// When the load starts, in milliseconds since the Unix epoch (`--start-at`): the engine gets
    /// ready, then waits for it, so that the segments of a run start together. One ready more
    /// than [`START_GRACE`] late does not run at all ([`Report::missed_start`]).
    ///
    /// [`Report::missed_start`]: crate::Report::missed_start
    pub start_at_unix_ms: Option<u64>,
    /// What ties the segments of one run together (`--run-id`), carried into each report.
    pub run_id: Option<String>,
}

/// How late after [`Plan::start_at_unix_ms`] a process may still start its load.
pub const START_GRACE: Duration = Duration::from_secs(2);

/// How a plan schedules its users and hits: one of three models, each with only its own options.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// Stages of users one after another (`-u 10:20:30`), all users of a stage at once or spread
    /// over a ramp, each running a number of hits or for a duration.
    Fixed {
        /// Users of each stage.
        users: Vec<u32>,
        /// How long each user goes on.
        length: Length,
        /// Users of each stage start over this time rather than at once (`--ramp-up`).
        ramp: Option<Ramp>,
        /// A pause between stages (`--stage-pause`).
        pause: Option<Duration>,
        /// Think time between a user's hits (`--think`).
        think: Option<Think>,
    },
    /// Users moving linearly toward each target over its duration (`--stages`).
    Ramping {
        /// The targets, in order.
        targets: Vec<Target>,
        /// Think time between a user's hits (`--think`).
        think: Option<Think>,
    },
    /// The open model: hits start at a rate whatever the response times (`--rate`).
    Rate(Rate),
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

impl Shape {
    /// Think time between a user's hits, in the closed models.
    pub fn think(&self) -> Option<Think> {
        match self {
            Shape::Fixed { think, .. } | Shape::Ramping { think, .. } => *think,
            Shape::Rate(_) => None,
        }
    }

    fn think_mut(&mut self) -> Option<&mut Option<Think>> {
        match self {
            Shape::Fixed { think, .. } | Shape::Ramping { think, .. } => Some(think),
            Shape::Rate(_) => None,
        }
    }
}

impl Plan {
    /// One user, one hit: what `cargo test` and a bare `cargo loadrun TEST` run.
    pub fn once() -> Plan {
        Plan::of(Shape::Fixed {
            users: vec![1],
            length: Length::Hits(vec![1]),
            ramp: None,
            pause: None,
            think: None,
        })
    }

    /// A plan of `shape`, with nothing else set.
    pub fn of(shape: Shape) -> Plan {
        Plan {
            shape,
            server_url: None,
            log: None,
            hit_timeout: None,
            request_timeout: None,
            body_limit: None,
            ca_cert: None,
            insecure: false,
            mix: Vec::new(),
            segment: Segment::WHOLE,
            seed: None,
            start_at_unix_ms: None,
            run_id: None,
        }
    }

    /// Stages of users with hits per user or a duration per stage, from Loads' options (`-u`,
    /// `--hits`, `-d`); `None` means the option was not given.
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
            (Some(_), Some(_)) => {
                return Err(PlanError::Conflict {
                    first: PlanField::Hits,
                    second: PlanField::Duration,
                    why: "give a number of hits per user, or a duration per stage",
                });
            }
            (_, Some(d)) => Length::Duration(parse_field(PlanField::Duration, d)?),
            (Some(list), None) => {
                Length::Hits(parse_list(list).map_err(|value| PlanError::Hits {
                    value,
                    list: list.to_owned(),
                })?)
            }
            (None, None) => Length::Hits(vec![1]),
        };
        if let Length::Hits(hits) = &length {
            let per_user = hits.iter().try_fold(0u64, |sum, &h| sum.checked_add(h));
            let users: u64 = users.iter().map(|&u| u64::from(u)).sum();
            per_user
                .and_then(|h| h.checked_mul(users))
                .ok_or(PlanError::TooManyHits)?;
        }
        Ok(Plan::of(Shape::Fixed {
            users,
            length,
            ramp: None,
            pause: None,
            think: None,
        }))
    }

    /// Think time between a user's hits, in the closed models.
    pub fn think(&self) -> Option<Think> {
        self.shape.think()
    }

    /// Sets the think time; `Err` in the open model, where the rate sets when hits start.
    pub fn set_think(&mut self, think: Think) -> Result<(), PlanError> {
        match self.shape.think_mut() {
            Some(slot) => {
                *slot = Some(think);
                Ok(())
            }
            None => Err(PlanError::Conflict {
                first: PlanField::Think,
                second: PlanField::Rate,
                why: "the rate sets when hits start; pauses inside a hit are cx.think(…)",
            }),
        }
    }

    /// Hits each user runs, when the plan counts hits (stages of users with `--hits`).
    pub fn hits_per_user(&self) -> Option<u64> {
        match &self.shape {
            Shape::Fixed {
                length: Length::Hits(hits),
                ..
            } => Some(hits.iter().sum()),
            _ => None,
        }
    }

    /// All hits of the plan's [`segment`](Self::segment) (of the whole plan by default), when
    /// it counts hits: sum(users) × sum(hits).
    pub fn total_hits(&self) -> Option<u64> {
        match &self.shape {
            Shape::Fixed { users, .. } => {
                let users: u64 = users
                    .iter()
                    .map(|&u| self.segment.share(u64::from(u)))
                    .sum();
                self.hits_per_user().map(|h| h * users)
            }
            _ => None,
        }
    }

    /// This plan, for the `segment`th share of it: refused when the open model would leave a
    /// segment without a user (give `--max-users` at least the number of segments).
    pub fn with_segment(mut self, segment: Segment) -> Result<Plan, PlanError> {
        if let Shape::Rate(rate) = &self.shape
            && u64::from(rate.max_users) < u64::from(segment.count)
        {
            return Err(PlanError::TooFewUsersToSplit {
                users: rate.max_users,
                segments: segment.count,
            });
        }
        self.segment = segment;
        Ok(self)
    }

    /// Planned length when the plan has one: stages × duration (and the pauses between them),
    /// the sum of the targets' durations, or the rate schedule's length.
    pub fn total_duration(&self) -> Option<Duration> {
        match &self.shape {
            Shape::Rate(rate) => Some(rate.duration()),
            Shape::Ramping { targets, .. } => Some(targets.iter().map(|t| t.over).sum()),
            Shape::Fixed {
                users,
                length: Length::Duration(d),
                pause,
                ..
            } => {
                let stages = users.len() as u32;
                Some(*d * stages + pause.unwrap_or_default() * stages.saturating_sub(1))
            }
            Shape::Fixed { .. } => None,
        }
    }

    /// Stages the progress display counts: `-u` stages, `--stages` targets, or rate stages.
    pub fn stage_count(&self) -> usize {
        match &self.shape {
            Shape::Fixed { users, .. } => users.len(),
            Shape::Ramping { targets, .. } => targets.len(),
            Shape::Rate(rate) => rate.stages.len(),
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
