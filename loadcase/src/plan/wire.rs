//! How a [`Plan`] is written in reports and the runner's messages: the flat form of report
//! schema 2, every shape's options side by side, so that reports and history entries written
//! before [`Shape`] existed still read, and older readers can read new ones.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::plan::duration::opt_secs;
use crate::plan::log::LogSpec;
use crate::plan::model::{Length, Plan, Shape};
use crate::plan::segment::Segment;
use crate::plan::shape::{Ramp, Rate, Target, Think};

/// The flat form: `rate` wins over `targets`, which win over `users` and `length`.
#[derive(Serialize, Deserialize)]
struct PlanWire {
    users: Vec<u32>,
    length: Length,
    server_url: Option<String>,
    #[serde(default)]
    log: Option<LogSpec>,
    #[serde(default)]
    ramp: Option<Ramp>,
    #[serde(default, with = "opt_secs")]
    stage_pause: Option<Duration>,
    #[serde(default)]
    targets: Vec<Target>,
    #[serde(default)]
    rate: Option<Rate>,
    #[serde(default)]
    think: Option<Think>,
    #[serde(default, with = "opt_secs")]
    hit_timeout: Option<Duration>,
    #[serde(default, with = "opt_secs")]
    request_timeout: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body_limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca_cert: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    insecure: bool,
    #[serde(default)]
    mix: Vec<(String, u32)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    segment: Option<Segment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start_at_unix_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    run_id: Option<String>,
}

impl From<PlanWire> for Plan {
    fn from(wire: PlanWire) -> Plan {
        let shape = if let Some(rate) = wire.rate {
            Shape::Rate(rate)
        } else if !wire.targets.is_empty() {
            Shape::Ramping {
                targets: wire.targets,
                think: wire.think,
            }
        } else {
            Shape::Fixed {
                users: wire.users,
                length: wire.length,
                ramp: wire.ramp,
                pause: wire.stage_pause,
                think: wire.think,
            }
        };
        Plan {
            shape,
            server_url: wire.server_url,
            log: wire.log,
            hit_timeout: wire.hit_timeout,
            request_timeout: wire.request_timeout,
            body_limit: wire.body_limit,
            ca_cert: wire.ca_cert,
            insecure: wire.insecure,
            mix: wire.mix,
            segment: wire.segment.unwrap_or(Segment::WHOLE),
            seed: wire.seed,
            start_at_unix_ms: wire.start_at_unix_ms,
            run_id: wire.run_id,
        }
    }
}

impl From<Plan> for PlanWire {
    fn from(plan: Plan) -> PlanWire {
        let mut wire = PlanWire {
            users: vec![1],
            length: Length::Hits(vec![1]),
            server_url: plan.server_url,
            log: plan.log,
            ramp: None,
            stage_pause: None,
            targets: Vec::new(),
            rate: None,
            think: None,
            hit_timeout: plan.hit_timeout,
            request_timeout: plan.request_timeout,
            body_limit: plan.body_limit,
            ca_cert: plan.ca_cert,
            insecure: plan.insecure,
            mix: plan.mix,
            segment: (!plan.segment.is_whole()).then_some(plan.segment),
            seed: plan.seed,
            start_at_unix_ms: plan.start_at_unix_ms,
            run_id: plan.run_id,
        };
        match plan.shape {
            Shape::Fixed {
                users,
                length,
                ramp,
                pause,
                think,
            } => {
                wire.users = users;
                wire.length = length;
                wire.ramp = ramp;
                wire.stage_pause = pause;
                wire.think = think;
            }
            Shape::Ramping { targets, think } => {
                wire.targets = targets;
                wire.think = think;
            }
            Shape::Rate(rate) => wire.rate = Some(rate),
        }
        wire
    }
}

impl Serialize for Plan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PlanWire::from(self.clone()).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Plan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Plan, D::Error> {
        PlanWire::deserialize(deserializer).map(Plan::from)
    }
}
