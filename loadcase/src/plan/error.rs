//! Why a plan cannot be run: the option at fault (a [`PlanField`]) and the fix.

use std::fmt;

/// An option of a plan: a field of the runner's plan options, named `--ramp-up` on the command
/// line and `ramp_up` in a `loadcase.toml` profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PlanField {
    /// `-u`, `--users`.
    Users,
    /// `-c`, `--hits`, `--cycles`.
    Hits,
    /// `-d`, `--duration`.
    Duration,
    /// `--ramp-up`.
    RampUp,
    /// `--ramp`.
    Ramp,
    /// `--stage-pause`.
    StagePause,
    /// `--stages`.
    Stages,
    /// `--rate`.
    Rate,
    /// `--rate-stages`.
    RateStages,
    /// `--max-users`.
    MaxUsers,
    /// `--max-delay`.
    MaxDelay,
    /// `--think`.
    Think,
    /// `--hit-timeout`.
    HitTimeout,
    /// `--request-timeout`.
    RequestTimeout,
}

impl PlanField {
    /// Every option, in the order `--help` lists them.
    pub const ALL: [PlanField; 14] = [
        PlanField::Users,
        PlanField::Hits,
        PlanField::Duration,
        PlanField::RampUp,
        PlanField::Ramp,
        PlanField::StagePause,
        PlanField::Stages,
        PlanField::Rate,
        PlanField::RateStages,
        PlanField::MaxUsers,
        PlanField::MaxDelay,
        PlanField::Think,
        PlanField::HitTimeout,
        PlanField::RequestTimeout,
    ];

    /// Its name as a key of a `loadcase.toml` profile: `users`, `ramp_up`, …
    pub fn key(self) -> &'static str {
        match self {
            PlanField::Users => "users",
            PlanField::Hits => "hits",
            PlanField::Duration => "duration",
            PlanField::RampUp => "ramp_up",
            PlanField::Ramp => "ramp",
            PlanField::StagePause => "stage_pause",
            PlanField::Stages => "stages",
            PlanField::Rate => "rate",
            PlanField::RateStages => "rate_stages",
            PlanField::MaxUsers => "max_users",
            PlanField::MaxDelay => "max_delay",
            PlanField::Think => "think",
            PlanField::HitTimeout => "hit_timeout",
            PlanField::RequestTimeout => "request_timeout",
        }
    }

    /// Its long flag on the command line: `--users`, `--ramp-up`, …
    pub fn flag(self) -> String {
        format!("--{}", self.key().replace('_', "-"))
    }
}

impl fmt::Display for PlanField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.flag())
    }
}

/// What is wrong with a duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationProblem {
    /// It does not parse.
    Malformed,
    /// It is zero where something must last.
    Zero,
    /// It is longer than [`MAX_DURATION`](crate::plan::MAX_DURATION).
    TooLong,
}

/// A plan that cannot be run, naming its options ([`fields`](Self::fields)) and the fix. Shown
/// with `--flags` by `Display`; [`render`](Self::render) names each option as its source does
/// (a `loadcase.toml` key, say).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanError {
    /// `users` with something that is not a positive count.
    Users {
        /// The offending stage.
        value: String,
        /// The whole list.
        list: String,
    },
    /// `hits` with something that is not a positive count.
    Hits {
        /// The offending entry.
        value: String,
        /// The whole list.
        list: String,
    },
    /// A duration option that does not parse, is zero or too long.
    Duration {
        /// The option.
        field: PlanField,
        /// The value given.
        value: String,
        /// What is wrong with it.
        problem: DurationProblem,
    },
    /// More hits than a run can count.
    TooManyHits,
    /// `think` that does not parse.
    Think(String),
    /// A `stages` entry that does not parse.
    Stages {
        /// The offending entry.
        entry: String,
        /// The whole list.
        list: String,
    },
    /// `stages` whose targets are all zero.
    NoUsers(String),
    /// `rate` that does not parse.
    Rate(String),
    /// A `rate-stages` entry that does not parse.
    RateStages {
        /// The offending entry.
        entry: String,
        /// The whole list.
        list: String,
    },
    /// Options that do not go together.
    Conflict {
        /// One option.
        first: PlanField,
        /// The other.
        second: PlanField,
        /// Why, and what to do instead.
        why: &'static str,
    },
    /// An option that needs another.
    Needs {
        /// The option given.
        option: PlanField,
        /// What it needs, with an example.
        needs: &'static str,
    },
    /// `ramp` other than linear or random.
    RampKind(String),
    /// A ramp longer than the stages it spreads users over.
    RampTooLong {
        /// The ramp, as given.
        ramp: String,
        /// The stage duration, as given.
        stage: String,
    },
    /// `max-users` that is not a positive count.
    MaxUsers(String),
    /// A word of a plan's text that is not one of its options, or an option without a value.
    Unknown(String),
    /// An open model with fewer users than segments: some segment would have none.
    TooFewUsersToSplit {
        /// `--max-users`.
        users: u32,
        /// Segments.
        segments: u32,
    },
    /// More users at once than this machine's memory holds.
    TooManyUsers {
        /// The option that sets them.
        field: PlanField,
        /// Users the plan runs at once.
        users: u64,
        /// Bytes they would need, at most.
        needed: u64,
        /// Bytes the machine has available.
        available: u64,
        /// Users that would fit.
        fits: u64,
    },
}

impl PlanError {
    /// The options the error is about, the one at fault first.
    pub fn fields(&self) -> Vec<PlanField> {
        match self {
            PlanError::Users { .. } => vec![PlanField::Users],
            PlanError::Hits { .. } => vec![PlanField::Hits],
            PlanError::Duration { field, .. } => vec![*field],
            PlanError::TooManyHits => vec![PlanField::Users, PlanField::Hits],
            PlanError::Think(_) => vec![PlanField::Think],
            PlanError::Stages { .. } | PlanError::NoUsers(_) => vec![PlanField::Stages],
            PlanError::Rate(_) => vec![PlanField::Rate],
            PlanError::RateStages { .. } => vec![PlanField::RateStages],
            PlanError::Conflict { first, second, .. } => vec![*first, *second],
            PlanError::Needs { option, .. } => vec![*option],
            PlanError::RampKind(_) => vec![PlanField::Ramp],
            PlanError::RampTooLong { .. } => vec![PlanField::RampUp, PlanField::Duration],
            PlanError::MaxUsers(_) => vec![PlanField::MaxUsers],
            PlanError::Unknown(_) => Vec::new(),
            PlanError::TooManyUsers { field, .. } => vec![*field],
            PlanError::TooFewUsersToSplit { .. } => vec![PlanField::MaxUsers],
        }
    }

    /// The message, each option named by `name` (`Display` names them by flag).
    pub fn render(&self, name: &dyn Fn(PlanField) -> String) -> String {
        let n = name;
        match self {
            PlanError::Users { value, list } => format!(
                "{}: `{value}` is not a number of users (in `{list}`); give each stage a count from 1 to 4294967295, colon-separated, e.g. -u 10:20:30",
                n(PlanField::Users)
            ),
            PlanError::Hits { value, list } => format!(
                "{}: `{value}` is not a number of hits (in `{list}`); give a count from 1 to 18446744073709551615, colon-separated, e.g. --hits 20 or -c 5:10",
                n(PlanField::Hits)
            ),
            PlanError::Duration {
                field,
                value,
                problem,
            } => match problem {
                DurationProblem::Malformed => format!(
                    "{}: `{value}` is not a duration; write e.g. 30s, 2m, 1h30m, 500ms or a number of seconds",
                    n(*field)
                ),
                DurationProblem::Zero => format!(
                    "{}: `{value}` must last longer than zero; write e.g. 10s",
                    n(*field)
                ),
                DurationProblem::TooLong => format!(
                    "{}: `{value}` is longer than a stage may last (365 days); write a shorter duration, e.g. 1h",
                    n(*field)
                ),
            },
            PlanError::TooManyHits => format!(
                "{} × {} is more hits than loadcase can count (2^64); give fewer users or hits",
                n(PlanField::Users),
                n(PlanField::Hits)
            ),
            PlanError::Think(value) => format!(
                "{}: `{value}` is not a pause; write e.g. 200ms, or a range 100ms..500ms",
                n(PlanField::Think)
            ),
            PlanError::Stages { entry, list } => format!(
                "{}: `{entry}` (in `{list}`) is not USERS@DURATION; write e.g. '10@30s, 50@2m, 0@30s'",
                n(PlanField::Stages)
            ),
            PlanError::NoUsers(list) => format!(
                "{}: `{list}` never has a user; give at least one stage a target above 0",
                n(PlanField::Stages)
            ),
            PlanError::Rate(value) => format!(
                "{}: `{value}` is not a rate; write hits per second or minute above 0, e.g. 500/s or 30/m (at most 1000000/s)",
                n(PlanField::Rate)
            ),
            PlanError::RateStages { entry, list } => format!(
                "{}: `{entry}` (in `{list}`) is not RATE@DURATION; write e.g. '100/s@1m, 500/s@2m'",
                n(PlanField::RateStages)
            ),
            PlanError::Conflict { first, second, why } => {
                format!("{} and {} exclude each other: {why}", n(*first), n(*second))
            }
            PlanError::Needs { option, needs } => format!("{} needs {needs}", n(*option)),
            PlanError::RampKind(value) => format!(
                "{}: `{value}` is not a ramp; write linear (the default) or random",
                n(PlanField::Ramp)
            ),
            PlanError::RampTooLong { ramp, stage } => format!(
                "{} {ramp} is longer than each stage ({stage}); users would start after their stage ended. Give a shorter {} or a longer {}",
                n(PlanField::RampUp),
                n(PlanField::RampUp),
                n(PlanField::Duration)
            ),
            PlanError::MaxUsers(value) => format!(
                "{}: `{value}` is not a number of users; give a count from 1, e.g. 200",
                n(PlanField::MaxUsers)
            ),
            PlanError::TooFewUsersToSplit { users, segments } => format!(
                "{}: {users} users cannot be shared out over {segments} segments; give at least one user per segment, e.g. --max-users {segments}",
                n(PlanField::MaxUsers)
            ),
            PlanError::TooManyUsers {
                field,
                users,
                needed,
                available,
                fits,
            } => format!(
                "{}: {users} users at once would need up to {} of memory (about {} KiB each), and this machine has {} available; give at most {fits} users, or spread the load over several machines",
                n(*field),
                gib(*needed),
                needed / (*users).max(1) / 1024,
                gib(*available)
            ),
            PlanError::Unknown(word) => format!(
                "`{word}` is not an option of a plan with its value; write options as cargo loadrun takes them, e.g. -u 10 -c 5 or --rate 500/s -d 1m"
            ),
        }
    }
}

/// `12.5 GiB`.
fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&PlanField::flag))
    }
}

impl std::error::Error for PlanError {}
