//! A plan as the options that give it, both ways: written back for history, comparisons and
//! reports, and read from that same text (`"-u 10:20 -c 5".parse::<Plan>()`).

use std::str::FromStr;
use std::time::Duration;

use crate::plan::args::PlanArgs;
use crate::plan::error::{PlanError, PlanField};

use crate::plan::model::{Length, Plan, Shape};
use crate::plan::shape::{DEFAULT_MAX_DELAY, DEFAULT_MAX_USERS, Rate};

impl Plan {
    /// The plan as the options that give it: `-u 10:20 -c 5`, `-u 50 -d 30s --ramp-up 10s`,
    /// `--stages '10@30s, 0@10s'`, `--rate 500/s -d 10s`.
    pub fn options(&self) -> String {
        let mut text = match &self.shape {
            Shape::Rate(rate) => rate_options(rate),
            Shape::Ramping { targets, .. } => {
                let list: Vec<String> = targets
                    .iter()
                    .map(|t| format!("{}@{}", t.users, duration_text(t.over)))
                    .collect();
                format!("--stages '{}'", list.join(", "))
            }
            Shape::Fixed {
                users,
                length,
                ramp,
                pause,
                ..
            } => {
                let join = |v: Vec<String>| v.join(":");
                let users = join(users.iter().map(u32::to_string).collect());
                let mut text = match length {
                    Length::Hits(hits) => format!(
                        "-u {users} -c {}",
                        join(hits.iter().map(u64::to_string).collect())
                    ),
                    Length::Duration(d) => format!("-u {users} -d {}", duration_text(*d)),
                };
                if let Some(ramp) = ramp {
                    text.push_str(&format!(" --ramp-up {}", duration_text(ramp.over)));
                    if ramp.random {
                        text.push_str(" --ramp random");
                    }
                }
                if let Some(d) = pause {
                    text.push_str(&format!(" --stage-pause {}", duration_text(*d)));
                }
                text
            }
        };
        let durations = [
            ("--hit-timeout", self.hit_timeout),
            ("--request-timeout", self.request_timeout),
        ];
        for (option, value) in durations {
            if let Some(d) = value {
                text.push_str(&format!(" {option} {}", duration_text(d)));
            }
        }
        if let Some(think) = self.think() {
            text.push_str(&format!(" --think {}", duration_text(think.min)));
            if think.max != think.min {
                text.push_str(&format!("..{}", duration_text(think.max)));
            }
        }
        text
    }
}

impl Plan {
    /// A digest of what the plan runs — its shape and options, the tests and their weights —
    /// that does not depend on its segment, start time or outputs: the same in every segment of
    /// one run, on every machine. FNV-1a over that text, in hex.
    pub fn digest(&self, tests: &[(&str, u32)]) -> String {
        let mut text = self.options();
        for (name, weight) in tests {
            text.push_str(&format!("\n{name}:{weight}"));
        }
        if let Some(url) = &self.server_url {
            text.push_str(&format!("\n{url}"));
        }
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{hash:016x}")
    }
}

/// `--rate 500/s -d 10s`, or `--rate-stages '…'` with the starting rate, and the pool's limits.
fn rate_options(rate: &Rate) -> String {
    let mut text = match rate.stages.as_slice() {
        [only] if only.per_sec == rate.start => format!(
            "--rate {}/s -d {}",
            number(only.per_sec),
            duration_text(only.over)
        ),
        stages => {
            let list: Vec<String> = stages
                .iter()
                .map(|s| format!("{}/s@{}", number(s.per_sec), duration_text(s.over)))
                .collect();
            let start = if rate.start > 0.0 {
                format!("--rate {}/s ", number(rate.start))
            } else {
                String::new()
            };
            format!("{start}--rate-stages '{}'", list.join(", "))
        }
    };
    if rate.max_users != DEFAULT_MAX_USERS {
        text.push_str(&format!(" --max-users {}", rate.max_users));
    }
    if rate.max_delay != DEFAULT_MAX_DELAY {
        text.push_str(&format!(" --max-delay {}", duration_text(rate.max_delay)));
    }
    text
}

/// `90s` as `90s`, `120s` as `2m`, `1.5s` as `1500ms`: short and exact.
fn duration_text(d: Duration) -> String {
    let ms = d.as_millis();
    match (ms % 1000, ms / 1000) {
        (0, s) if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        (0, s) if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        (0, s) => format!("{s}s"),
        _ => format!("{ms}ms"),
    }
}

/// A rate without a needless fraction.
fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

impl FromStr for Plan {
    type Err = PlanError;

    /// Reads the options that [`Plan::options`] writes, as `cargo loadrun` takes them:
    ///
    /// ```
    /// use loadcase::Plan;
    ///
    /// let plan: Plan = "-u 10:20:30 --hits 20".parse().unwrap();
    /// assert_eq!(plan.total_hits(), Some(1200));
    /// let open: Plan = "--rate 500/s -d 1m --max-users 200".parse().unwrap();
    /// assert_eq!(open.options(), "--rate 500/s -d 1m --max-users 200");
    /// assert!("-u 0".parse::<Plan>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Plan, PlanError> {
        let words = shell_words(text);
        let mut args = PlanArgs::default();
        let mut words = words.iter();
        while let Some(word) = words.next() {
            let field = match word.as_str() {
                "-u" => Some(PlanField::Users),
                "-c" | "--cycles" => Some(PlanField::Hits),
                "-d" => Some(PlanField::Duration),
                long => long
                    .strip_prefix("--")
                    .and_then(|_| PlanField::ALL.into_iter().find(|f| f.flag() == long)),
            };
            let (Some(field), Some(value)) = (field, words.next()) else {
                return Err(PlanError::Unknown(word.clone()));
            };
            args.set(field, Some(value.as_str()));
        }
        Plan::parse_args(&args)
    }
}

/// Splits on spaces outside single quotes, as a shell would for these options.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_default();
            }
            c if c.is_whitespace() && !quoted => words.extend(word.take()),
            c => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    words
}
