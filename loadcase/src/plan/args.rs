//! The plan from every command-line option: which go together, which need which.

use std::time::Duration;

use super::shape::{self, DEFAULT_MAX_DELAY, DEFAULT_MAX_USERS, Ramp, Rate, RateStage};
use super::{Length, Plan, PlanError, parse_duration};

/// The command-line strings a plan is made of; `None` where an option was not given.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlanArgs<'a> {
    /// `-u`.
    pub users: Option<&'a str>,
    /// `-c` / `--hits`.
    pub hits: Option<&'a str>,
    /// `-d`.
    pub duration: Option<&'a str>,
    /// `--ramp-up`.
    pub ramp_up: Option<&'a str>,
    /// `--ramp` (`linear` or `random`).
    pub ramp: Option<&'a str>,
    /// `--stage-pause`.
    pub stage_pause: Option<&'a str>,
    /// `--stages`.
    pub stages: Option<&'a str>,
    /// `--rate`.
    pub rate: Option<&'a str>,
    /// `--rate-stages`.
    pub rate_stages: Option<&'a str>,
    /// `--max-users`.
    pub max_users: Option<&'a str>,
    /// `--max-delay`.
    pub max_delay: Option<&'a str>,
    /// `--think`.
    pub think: Option<&'a str>,
    /// `--hit-timeout`.
    pub hit_timeout: Option<&'a str>,
    /// `--request-timeout`.
    pub request_timeout: Option<&'a str>,
}

impl Plan {
    /// Builds a plan from every command-line string of a plan.
    pub fn parse_args(args: &PlanArgs<'_>) -> Result<Plan, PlanError> {
        let conflict = |first, second, why| PlanError::Conflict { first, second, why };
        let shaped = args.stages.is_some() || args.rate.is_some() || args.rate_stages.is_some();
        if shaped {
            let other = if args.stages.is_some() {
                "--stages"
            } else if args.rate.is_some() {
                "--rate"
            } else {
                "--rate-stages"
            };
            let why = "--stages and --rate set the users or the rate over time themselves; drop -u, --hits, -d, --ramp-up and --stage-pause";
            for (given, name) in [
                (args.users, "--users"),
                (args.hits, "--hits"),
                (args.ramp_up, "--ramp-up"),
                (args.ramp, "--ramp"),
                (args.stage_pause, "--stage-pause"),
            ] {
                if given.is_some() {
                    return Err(conflict(name, other, why));
                }
            }
        }
        if args.stages.is_some() && (args.rate.is_some() || args.rate_stages.is_some()) {
            return Err(conflict(
                "--stages",
                "--rate",
                "--stages sets how many users run (closed model), --rate how often hits start (open model); pick one",
            ));
        }
        let mut plan = if shaped {
            Plan::once()
        } else {
            Plan::parse(args.users, args.hits, args.duration)?
        };
        if let Some(stages) = args.stages {
            if args.duration.is_some() {
                return Err(conflict(
                    "--stages",
                    "--duration",
                    "each stage of --stages has its own duration",
                ));
            }
            plan.targets = shape::parse_targets(stages)?;
        }
        let open = args.rate.is_some() || args.rate_stages.is_some();
        if open {
            plan.rate = Some(open_model(args)?);
        } else if args.max_users.is_some() || args.max_delay.is_some() {
            return Err(PlanError::Needs {
                option: if args.max_users.is_some() {
                    "--max-users"
                } else {
                    "--max-delay"
                },
                needs: "the open model: add --rate, e.g. --rate 500/s -d 1m",
            });
        }
        if let Some(text) = args.ramp_up {
            let over = parse_duration(text).map_err(|_| PlanError::BadDuration {
                option: "--ramp-up",
                value: text.to_owned(),
            })?;
            if let Length::Duration(stage) = plan.length
                && over > stage
            {
                return Err(PlanError::RampTooLong {
                    ramp: text.to_owned(),
                    stage: args.duration.unwrap_or_default().to_owned(),
                });
            }
            let random = match args.ramp.map(str::trim) {
                None | Some("linear") => false,
                Some("random") => true,
                Some(other) => return Err(PlanError::RampKind(other.to_owned())),
            };
            plan.ramp = Some(Ramp { over, random });
        } else if let Some(kind) = args.ramp {
            return Err(PlanError::Needs {
                option: if kind == "random" || kind == "linear" {
                    "--ramp"
                } else {
                    return Err(PlanError::RampKind(kind.to_owned()));
                },
                needs: "--ramp-up to say over how long, e.g. --ramp-up 30s --ramp random",
            });
        }
        plan.stage_pause = duration_option("--stage-pause", args.stage_pause)?;
        if let Some(text) = args.think {
            if open {
                return Err(conflict(
                    "--think",
                    "--rate",
                    "the rate sets when hits start; pauses inside a hit are cx.think(…)",
                ));
            }
            plan.think = Some(shape::parse_think(text)?);
        }
        plan.hit_timeout = duration_option("--hit-timeout", args.hit_timeout)?;
        plan.request_timeout = duration_option("--request-timeout", args.request_timeout)?;
        Ok(plan)
    }
}

fn open_model(args: &PlanArgs<'_>) -> Result<Rate, PlanError> {
    let start = args.rate.map(shape::parse_rate).transpose()?;
    let stages = match (args.rate_stages, args.duration, start) {
        (Some(_), Some(_), _) => {
            return Err(PlanError::Conflict {
                first: "--rate-stages",
                second: "--duration",
                why: "each rate stage has its own duration",
            });
        }
        (Some(text), None, _) => shape::parse_rate_stages(text)?,
        (None, Some(d), Some(rate)) => vec![RateStage {
            per_sec: rate,
            over: parse_duration(d)?,
        }],
        (None, None, _) => {
            return Err(PlanError::Needs {
                option: "--rate",
                needs: "a length: add -d, e.g. --rate 500/s -d 1m, or ramp with --rate-stages '100/s@1m, 500/s@2m'",
            });
        }
        (None, Some(_), None) => unreachable!("open_model is called with --rate or --rate-stages"),
    };
    let max_users = match args.max_users {
        None => DEFAULT_MAX_USERS,
        Some(text) => match text.trim().parse::<u32>() {
            Ok(n) if n > 0 => n,
            _ => return Err(PlanError::MaxUsers(text.to_owned())),
        },
    };
    Ok(Rate {
        start: start.unwrap_or(0.0),
        stages,
        max_users,
        max_delay: duration_option("--max-delay", args.max_delay)?.unwrap_or(DEFAULT_MAX_DELAY),
    })
}

fn duration_option(
    option: &'static str,
    text: Option<&str>,
) -> Result<Option<Duration>, PlanError> {
    text.map(|text| {
        parse_duration(text).map_err(|_| PlanError::BadDuration {
            option,
            value: text.to_owned(),
        })
    })
    .transpose()
}
