//! Watching and steering a run from elsewhere: live figures pushed to Prometheus, a webhook at
//! the end, the run sent to the background; and the commands that list, follow and stop runs.

use clap::Args;

/// `--prometheus-remote-write`, `--push-every`, `--notify`, `--detach`.
#[derive(Clone, Debug, Default, Args)]
#[command(next_help_heading = "Live")]
pub struct LiveOptions {
    /// Push live figures to this Prometheus remote-write URL.
    #[arg(long, value_name = "URL")]
    pub prometheus_remote_write: Option<String>,

    /// Export live figures to this OpenTelemetry (OTLP/HTTP) endpoint too.
    #[cfg(feature = "otlp")]
    #[arg(long, value_name = "URL")]
    pub otlp_endpoint: Option<String>,

    /// How often to push them (default 5s); once more at the end.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub push_every: Option<String>,

    /// POST a JSON summary here when the run ends (repeatable).
    #[arg(long = "notify", value_name = "URL")]
    pub notify: Vec<String>,

    /// Run in the background; `cargo loadrun attach` follows it.
    #[arg(long)]
    pub detach: bool,
}

/// `cargo loadrun attach [RUN]` and `cargo loadrun stop [RUN]`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The run's id as `cargo loadrun ps` shows it (default: the newest run in progress).
    #[arg(value_name = "RUN")]
    pub run: Option<String>,
}
