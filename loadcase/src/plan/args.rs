//! The plan from every option of the runner: which go together, which need which.

use std::time::Duration;

use crate::plan::duration::parse_field;
use crate::plan::error::{PlanError, PlanField};
use crate::plan::model::{Length, Plan, Shape};
use crate::plan::shape::{self, DEFAULT_MAX_DELAY, DEFAULT_MAX_USERS, Ramp, Rate, RateStage};

/// The strings a plan is made of, as the command line or a profile gives them; `None` where an
/// option was not given.
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

impl<'a> PlanArgs<'a> {
    /// The string given for `field`.
    pub fn get(&self, field: PlanField) -> Option<&'a str> {
        // `PlanArgs` is `Copy`: one match serves both directions.
        *{ *self }.slot_mut(field)
    }

    /// Sets the string of `field`.
    pub fn set(&mut self, field: PlanField, value: Option<&'a str>) {
        *self.slot_mut(field) = value;
    }

    fn slot_mut(&mut self, field: PlanField) -> &mut Option<&'a str> {
        match field {
            PlanField::Users => &mut self.users,
            PlanField::Hits => &mut self.hits,
            PlanField::Duration => &mut self.duration,
            PlanField::RampUp => &mut self.ramp_up,
            PlanField::Ramp => &mut self.ramp,
            PlanField::StagePause => &mut self.stage_pause,
            PlanField::Stages => &mut self.stages,
            PlanField::Rate => &mut self.rate,
            PlanField::RateStages => &mut self.rate_stages,
            PlanField::MaxUsers => &mut self.max_users,
            PlanField::MaxDelay => &mut self.max_delay,
            PlanField::Think => &mut self.think,
            PlanField::HitTimeout => &mut self.hit_timeout,
            PlanField::RequestTimeout => &mut self.request_timeout,
        }
    }
}

impl Plan {
    #[doc(hidden)]
    /// Builds a plan from every option of a plan, refusing options that do not go together or
    /// need another, with the fix.
    pub fn parse_args(args: &PlanArgs<'_>) -> Result<Plan, PlanError> {
        use PlanField as F;
        let given = |field| args.get(field).is_some();
        let conflict = |first, second, why| PlanError::Conflict { first, second, why };
        let shaper = [F::Stages, F::Rate, F::RateStages]
            .into_iter()
            .find(|&f| given(f));
        if let Some(shaper) = shaper {
            let why = if shaper == F::Stages {
                "--stages moves the users toward each target over its own duration; drop -u, --hits, --ramp-up, --ramp and --stage-pause"
            } else {
                "the open model starts hits at a rate, from as many users as it needs; drop -u, --hits, --ramp-up, --ramp and --stage-pause (its length is -d, or the durations of --rate-stages)"
            };
            for field in [F::Users, F::Hits, F::RampUp, F::Ramp, F::StagePause] {
                if given(field) {
                    return Err(conflict(field, shaper, why));
                }
            }
        }
        let open = given(F::Rate) || given(F::RateStages);
        if given(F::Stages) && open {
            return Err(conflict(
                F::Stages,
                F::Rate,
                "--stages sets how many users run (closed model), --rate how often hits start (open model); pick one",
            ));
        }
        if !open && let Some(option) = [F::MaxUsers, F::MaxDelay].into_iter().find(|&f| given(f)) {
            return Err(PlanError::Needs {
                option,
                needs: "the open model: add --rate, e.g. --rate 500/s -d 1m",
            });
        }
        let mut plan = if open {
            Plan::of(Shape::Rate(open_model(args)?))
        } else if let Some(stages) = args.stages {
            if given(F::Duration) {
                return Err(conflict(
                    F::Stages,
                    F::Duration,
                    "each stage of --stages has its own duration",
                ));
            }
            Plan::of(Shape::Ramping {
                targets: shape::parse_targets(stages)?,
                think: None,
            })
        } else {
            fixed(args)?
        };
        if let Some(text) = args.think {
            plan.set_think(shape::parse_think(text)?)?;
        }
        plan.hit_timeout = duration_option(F::HitTimeout, args.hit_timeout)?;
        plan.request_timeout = duration_option(F::RequestTimeout, args.request_timeout)?;
        Ok(plan)
    }
}

/// Stages of users, with their ramp and the pause between them.
fn fixed(args: &PlanArgs<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::parse(args.users, args.hits, args.duration)?;
    let Shape::Fixed {
        length,
        ramp: ramp_slot,
        pause,
        ..
    } = &mut plan.shape
    else {
        unreachable!("Plan::parse makes stages of users")
    };
    if let Some(text) = args.ramp_up {
        let over = parse_field(PlanField::RampUp, text)?;
        if let Length::Duration(stage) = length
            && over > *stage
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
        *ramp_slot = Some(Ramp { over, random });
    } else if let Some(kind) = args.ramp {
        if kind != "random" && kind != "linear" {
            return Err(PlanError::RampKind(kind.to_owned()));
        }
        return Err(PlanError::Needs {
            option: PlanField::Ramp,
            needs: "--ramp-up to say over how long, e.g. --ramp-up 30s --ramp random",
        });
    }
    *pause = duration_option(PlanField::StagePause, args.stage_pause)?;
    Ok(plan)
}

fn open_model(args: &PlanArgs<'_>) -> Result<Rate, PlanError> {
    let start = args.rate.map(shape::parse_rate).transpose()?;
    let stages = match (args.rate_stages, args.duration, start) {
        (Some(_), Some(_), _) => {
            return Err(PlanError::Conflict {
                first: PlanField::RateStages,
                second: PlanField::Duration,
                why: "each rate stage has its own duration",
            });
        }
        (Some(text), None, _) => shape::parse_rate_stages(text)?,
        (None, Some(d), Some(rate)) => vec![RateStage {
            per_sec: rate,
            over: parse_field(PlanField::Duration, d)?,
        }],
        (None, None, _) => {
            return Err(PlanError::Needs {
                option: PlanField::Rate,
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
        max_delay: duration_option(PlanField::MaxDelay, args.max_delay)?
            .unwrap_or(DEFAULT_MAX_DELAY),
    })
}

fn duration_option(field: PlanField, text: Option<&str>) -> Result<Option<Duration>, PlanError> {
    text.map(|text| parse_field(field, text)).transpose()
}
