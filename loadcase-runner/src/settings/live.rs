//! Where a run's live figures and its end-of-run notice go: `--prometheus-remote-write`,
//! `--push-every`, `--notify`, from the command line over a profile's keys, each checked before
//! anything is built.

use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use super::profile::Profile;
use crate::cli::live::LiveOptions;
use crate::live::push::Sink;

/// How often figures are pushed unless `--push-every` says otherwise: often enough for a
/// dashboard's 15 s resolution, rarely enough to cost nothing.
pub const PUSH_EVERY: Duration = Duration::from_secs(5);

/// What a run sends while it runs and when it ends.
#[derive(Clone, Debug, Default)]
pub struct LiveSettings {
    /// The Prometheus remote-write endpoint.
    pub remote_write: Option<String>,
    /// The OTLP/HTTP endpoint (`--otlp-endpoint`, with the `otlp` feature).
    #[cfg_attr(not(feature = "otlp"), allow(dead_code))]
    pub otlp: Option<String>,
    /// How often to push to it.
    pub push_every: Duration,
    /// Webhooks told when the run ends.
    pub notify: Vec<String>,
}

/// The live settings from `options` over `profile`'s (a flag given replaces the profile's key).
pub fn resolve(options: &LiveOptions, profile: Option<&Profile>) -> Result<LiveSettings> {
    let remote_write = match (&options.prometheus_remote_write, profile) {
        (Some(url), _) => Some(checked(url, "--prometheus-remote-write")?),
        (None, Some(p)) => match &p.prometheus_remote_write {
            Some(v) => Some(checked(
                &v.value,
                &p.origin("prometheus_remote_write", v.line),
            )?),
            None => None,
        },
        (None, None) => None,
    };
    let push_every = match (
        &options.push_every,
        profile.and_then(|p| p.push_every.as_ref()),
    ) {
        (Some(text), _) => every(text, "--push-every")?,
        (None, Some(v)) => every(
            &v.value,
            &profile.expect("set").origin("push_every", v.line),
        )?,
        (None, None) => PUSH_EVERY,
    };
    let otlp = otlp_endpoint(options)?;
    if remote_write.is_none() && otlp.is_none() && options.push_every.is_some() {
        bail!(
            "--push-every says how often to push to Prometheus; give --prometheus-remote-write URL too"
        );
    }
    let notify = match (
        options.notify.is_empty(),
        profile.and_then(|p| p.notify.as_ref()),
    ) {
        (true, Some(v)) => {
            let origin = profile.expect("set").origin("notify", v.line);
            v.value
                .iter()
                .map(|url| checked(url, &origin))
                .collect::<Result<_>>()?
        }
        _ => notify_urls(&options.notify)?,
    };
    Ok(LiveSettings {
        remote_write,
        otlp,
        push_every,
        notify,
    })
}

impl LiveSettings {
    /// Where figures are pushed.
    pub fn sinks(&self) -> Vec<Sink> {
        let sinks = self.remote_write.iter().cloned().map(Sink::RemoteWrite);
        #[cfg(feature = "otlp")]
        let sinks = sinks.chain(self.otlp.iter().cloned().map(Sink::Otlp));
        sinks.collect()
    }
}

#[cfg(feature = "otlp")]
fn otlp_endpoint(options: &LiveOptions) -> Result<Option<String>> {
    options
        .otlp_endpoint
        .as_deref()
        .map(|url| checked(url, "--otlp-endpoint"))
        .transpose()
}

#[cfg(not(feature = "otlp"))]
fn otlp_endpoint(_: &LiveOptions) -> Result<Option<String>> {
    Ok(None)
}

/// `--notify` URLs, checked.
pub fn notify_urls(urls: &[String]) -> Result<Vec<String>> {
    urls.iter().map(|url| checked(url, "--notify")).collect()
}

/// An http(s) URL with a host, or the message that says how to write one; `source` names where
/// it came from. The URL itself is not repeated: it may hold a password.
fn checked(url: &str, source: &str) -> Result<String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        anyhow!(
            "{source}: not a URL ({e}); write it whole, e.g. http://127.0.0.1:9090/api/v1/write"
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        bail!(
            "{source}: a {} URL; give an http:// or https:// URL with a host, e.g. http://127.0.0.1:9090/api/v1/write",
            parsed.scheme()
        );
    }
    Ok(url.to_owned())
}

/// A push interval: a duration of at least a second (Prometheus keeps samples to the millisecond,
/// but a push more often than each snapshot would only repeat it).
fn every(text: &str, source: &str) -> Result<Duration> {
    let every = loadcase::plan::parse_duration(text).map_err(|_| {
        anyhow!("{source}: `{text}` is not a duration; write e.g. {source} 5s (at least 1s)")
    })?;
    if every < Duration::from_secs(1) {
        bail!(
            "{source}: `{text}` is under a second, more often than the run's snapshots; give 1s or more"
        );
    }
    Ok(every)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: &[&str]) -> LiveOptions {
        use clap::Parser;
        crate::cli::Cli::try_parse_from(
            std::iter::once("cargo-loadrun").chain(args.iter().copied()),
        )
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
        .live
    }

    fn refusal(args: &[&str]) -> String {
        format!("{:#}", resolve(&options(args), None).unwrap_err())
    }

    #[test]
    fn urls_and_intervals_are_checked_and_named() {
        let ok = resolve(
            &options(&[
                "t::x",
                "--prometheus-remote-write",
                "http://127.0.0.1:9090/api/v1/write",
                "--push-every",
                "2s",
                "--notify",
                "https://hooks.example/a",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(ok.push_every, Duration::from_secs(2));
        assert_eq!(ok.notify, ["https://hooks.example/a"]);
        assert_eq!(
            resolve(&options(&["t::x"]), None).unwrap().push_every,
            PUSH_EVERY
        );
        for (args, expected) in [
            (
                &["t::x", "--notify", "hooks.example"][..],
                "--notify: not a URL",
            ),
            (&["t::x", "--notify", "ftp://h/x"], "--notify: a ftp URL"),
            (
                &[
                    "t::x",
                    "--prometheus-remote-write",
                    "http://u:secret@h:1/w",
                    "--push-every",
                    "-5s",
                ],
                "--push-every: `-5s` is not a duration",
            ),
            (
                &[
                    "t::x",
                    "--prometheus-remote-write",
                    "http://h:1/w",
                    "--push-every",
                    "100ms",
                ],
                "under a second",
            ),
            (
                &["t::x", "--push-every", "5s"],
                "give --prometheus-remote-write URL too",
            ),
        ] {
            let message = refusal(args);
            assert!(message.contains(expected), "{args:?}: {message}");
            assert!(!message.contains("secret"), "{message}");
        }
    }
}
