//! The plan's options: how many users, for how long, in what shape, at what pace. Each is the
//! string the user typed; the library reads them into a `Plan`, so that the command line and a
//! `loadcase.toml` profile are read by the same rules. Each takes a value that starts with `-`
//! (`--think -1s`), so that the library can say what is wrong with it, rather than clap taking
//! it for an option and advising `-- -1`.

use clap::Args;
use loadcase::plan::PlanField;

/// Every option of a plan, and the server URL of `cx.app`.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Plan")]
pub struct PlanOptions {
    /// Users of each stage, colon-separated: `-u 10:20:30` is three stages.
    #[arg(short, long, value_name = "STAGES", allow_hyphen_values = true)]
    pub users: Option<String>,

    /// Hits per user; colon-separated values add up.
    #[arg(
        short = 'c',
        long = "hits",
        visible_alias = "cycles",
        value_name = "HITS",
        allow_hyphen_values = true
    )]
    pub hits: Option<String>,

    /// Instead of hits: each stage lasts this long (30s, 2m, 1h30m, 500ms).
    #[arg(
        short,
        long,
        value_name = "DURATION",
        allow_hyphen_values = true,
        conflicts_with = "hits"
    )]
    pub duration: Option<String>,

    /// Base URL of `cx.app` (over LOADCASE_SERVER_URL and the attribute's).
    #[arg(long, value_name = "URL")]
    pub server_url: Option<String>,

    /// Start each stage's users evenly over this time.
    #[arg(
        long,
        value_name = "DURATION",
        allow_hyphen_values = true,
        help_heading = "Plan: load shape"
    )]
    pub ramp_up: Option<String>,

    /// How users start within --ramp-up: linear (default) or random.
    #[arg(
        long,
        value_name = "HOW",
        allow_hyphen_values = true,
        help_heading = "Plan: load shape"
    )]
    pub ramp: Option<String>,

    /// A pause with no user running between -u stages.
    #[arg(
        long,
        value_name = "DURATION",
        allow_hyphen_values = true,
        help_heading = "Plan: load shape"
    )]
    pub stage_pause: Option<String>,

    /// Users moving toward each target: '10@30s, 50@2m, 0@30s'.
    #[arg(
        long,
        value_name = "TARGETS",
        allow_hyphen_values = true,
        help_heading = "Plan: load shape"
    )]
    pub stages: Option<String>,

    /// Start hits at this rate whatever the response times (500/s), for -d.
    #[arg(
        long,
        value_name = "RATE",
        allow_hyphen_values = true,
        help_heading = "Plan: open model"
    )]
    pub rate: Option<String>,

    /// A rate moving toward each target: '100/s@1m, 500/s@2m'.
    #[arg(
        long,
        value_name = "TARGETS",
        allow_hyphen_values = true,
        help_heading = "Plan: open model"
    )]
    pub rate_stages: Option<String>,

    /// Most users at once (default 1000).
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        help_heading = "Plan: open model"
    )]
    pub max_users: Option<String>,

    /// How late a hit may start before it is dropped (default 1s).
    #[arg(
        long,
        value_name = "DURATION",
        allow_hyphen_values = true,
        help_heading = "Plan: open model"
    )]
    pub max_delay: Option<String>,

    /// Pause between a user's hits: 200ms, or a range 100ms..500ms.
    #[arg(
        long,
        value_name = "PAUSE",
        allow_hyphen_values = true,
        help_heading = "Plan: pacing and limits"
    )]
    pub think: Option<String>,

    /// Cancel a hit that runs longer, counting it as an error.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "DURATION",
        help_heading = "Plan: pacing and limits"
    )]
    pub hit_timeout: Option<String>,

    /// Default timeout of every request (60s unless set).
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "DURATION",
        help_heading = "Plan: pacing and limits"
    )]
    pub request_timeout: Option<String>,

    /// Most of a body kept in memory (default 16MiB); more is counted.
    #[arg(
        long,
        value_name = "SIZE",
        allow_hyphen_values = true,
        help_heading = "Plan: pacing and limits"
    )]
    pub body_limit: Option<String>,

    /// Trust the CA certificates of this PEM file too (HTTPS and wss://).
    #[arg(long, value_name = "FILE", help_heading = "Plan: TLS")]
    pub ca_cert: Option<std::path::PathBuf>,

    /// Check no TLS certificate (any issuer, name, date); the summary says so.
    #[arg(long, help_heading = "Plan: TLS")]
    pub insecure: bool,
}

impl PlanOptions {
    /// What was given for `field`.
    pub fn get(&self, field: PlanField) -> Option<&str> {
        let value = match field {
            PlanField::Users => &self.users,
            PlanField::Hits => &self.hits,
            PlanField::Duration => &self.duration,
            PlanField::RampUp => &self.ramp_up,
            PlanField::Ramp => &self.ramp,
            PlanField::StagePause => &self.stage_pause,
            PlanField::Stages => &self.stages,
            PlanField::Rate => &self.rate,
            PlanField::RateStages => &self.rate_stages,
            PlanField::MaxUsers => &self.max_users,
            PlanField::MaxDelay => &self.max_delay,
            PlanField::Think => &self.think,
            PlanField::HitTimeout => &self.hit_timeout,
            PlanField::RequestTimeout => &self.request_timeout,
            PlanField::BodyLimit => &self.body_limit,
            // A field a newer library adds is not on this command line yet.
            _ => return None,
        };
        value.as_deref()
    }
}
