//! A run's settings: its plan and what it leaves behind, from the command line over a
//! `loadcase.toml` [`profile`], checked before anything is built or run.

pub mod live;
pub mod profile;
pub mod segment;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use loadcase::__private::runner::{PlanArgs, create_private, env};
use loadcase::Plan;
use loadcase::plan::{LogFormat, LogSpec, PlanField};
use loadcase::report as threshold;

use self::live::LiveSettings;
use self::profile::Profile;
use crate::cli::live::LiveOptions;
use crate::cli::outputs::OutputOptions;
use crate::cli::plan::PlanOptions;
use crate::reports;
use crate::reports::segment::SegmentRun;
use crate::verdict::Thresholds;

/// A run's plan and outputs.
pub struct Settings {
    pub plan: Plan,
    pub outputs: Outputs,
}

/// What the user asked to get out of a run.
#[derive(Debug, Default)]
pub struct Outputs {
    /// Every threshold: the test's own, the profile's or the command line's.
    pub thresholds: Thresholds,
    /// Report files.
    pub reports: Vec<PathBuf>,
    /// Of a segment of a split run: its thresholds are the merge's to judge, and its JSON
    /// reports say so. `None` for a whole run.
    pub segment_run: Option<SegmentRun>,
    /// Where its live figures and its end-of-run notice go.
    pub live: LiveSettings,
}

/// The settings from the command line's plan and outputs over `profile`, if one was chosen.
/// Each plan option given on the command line replaces the profile's, and a length given there
/// (`-c` or `-d`) replaces the profile's of either kind; the lists of thresholds and reports
/// given there replace the profile's lists. A problem is named where its value came from: the
/// flag, or the profile's file, line and key.
pub fn resolve(
    plan: &PlanOptions,
    outputs: &OutputOptions,
    live: &LiveOptions,
    profile: Option<&Profile>,
) -> Result<Settings> {
    let live = live::resolve(live, profile)?;
    let from_flags = |field| plan.get(field).is_some();
    let length_given = from_flags(PlanField::Hits) || from_flags(PlanField::Duration);
    let mut args = PlanArgs::default();
    let mut from_profile = Vec::new();
    for field in PlanField::ALL {
        let profile_value = profile.and_then(|p| p.plan(field)).filter(|_| {
            let length = matches!(field, PlanField::Hits | PlanField::Duration);
            !(length && length_given)
        });
        match (plan.get(field), profile_value) {
            (Some(value), _) => args.set(field, Some(value)),
            (None, Some(value)) => {
                args.set(field, Some(value));
                from_profile.push(field);
            }
            (None, None) => {}
        }
    }
    let mut resolved = Plan::parse_args(&args).map_err(|error| match profile {
        Some(profile) if error.fields().iter().any(|f| from_profile.contains(f)) => {
            anyhow!(error.render(&|field| {
                if from_profile.contains(&field) {
                    profile.origin_of(field)
                } else {
                    field.flag()
                }
            }))
        }
        _ => anyhow!(error),
    })?;
    let profile_url = profile.and_then(|p| {
        let url = p.server_url.as_ref()?;
        Some((url.value.clone(), p.origin("server_url", url.line)))
    });
    if let Some(url) = &plan.server_url {
        check_server_url(url, "--server-url")?;
        resolved.server_url = Some(url.clone());
    } else if let Some((url, origin)) = profile_url {
        check_server_url(&url, &origin)?;
        resolved.server_url = Some(url);
    } else if let Some(url) = std::env::var(env::SERVER_URL)
        .ok()
        .filter(|u| !u.is_empty())
    {
        // Checked only when it is the one in force: --server-url overrides it.
        check_server_url(&url, env::SERVER_URL)?;
    }
    // Lists given on the command line replace the profile's.
    let profile_thresholds = profile.and_then(|p| p.thresholds.as_ref().map(|t| (p, t)));
    let thresholds = match profile_thresholds {
        Some((profile, list)) if outputs.thresholds.is_empty() => {
            threshold::parse_thresholds(&list.value)
                .map_err(|e| anyhow!("{}: {e}", profile.origin("thresholds", list.line)))?
        }
        _ => threshold::parse_thresholds(&outputs.thresholds)
            .map_err(|e| anyhow!("--threshold: {e}"))?,
    };
    let profile_reports = profile.and_then(|p| p.reports.as_ref().map(|r| (p, r)));
    let reports = match profile_reports {
        Some((profile, list)) if outputs.reports.is_empty() => {
            reports::check(&list.value, &profile.origin("reports", list.line))?;
            list.value.clone()
        }
        _ => {
            reports::check(&outputs.reports, "--report")?;
            outputs.reports.clone()
        }
    };
    for name in &outputs.redact_headers {
        check_header_name(name)?;
    }
    // Users that could not all be created would abort the process partway through the load.
    resolved
        .check_memory(loadcase::plan::available_memory())
        .map_err(|too_big| anyhow!(too_big))?;
    if let Some(path) = &outputs.log_requests {
        resolved.log = Some(request_log_spec(path, &outputs.redact_headers)?);
    }
    resolved.ca_cert = match (
        &plan.ca_cert,
        profile.and_then(|p| Some((p, p.ca_cert.as_ref()?))),
    ) {
        (Some(path), _) => Some(ca_cert(path, "--ca-cert")?),
        (None, Some((profile, file))) => {
            Some(ca_cert(&file.value, &profile.origin("ca_cert", file.line))?)
        }
        (None, None) => None,
    };
    resolved.insecure = plan.insecure
        || profile
            .and_then(|p| p.insecure.as_ref())
            .is_some_and(|v| v.value);
    Ok(Settings {
        plan: resolved,
        outputs: Outputs {
            thresholds: Thresholds {
                run: thresholds,
                by_test: Vec::new(),
            },
            reports,
            segment_run: None,
            live,
        },
    })
}

/// The request log's file, made absolute (the test binary runs in its package's directory) and
/// created now, so that an unwritable path stops the run before it starts.
fn request_log_spec(path: &Path, redact: &[String]) -> Result<LogSpec> {
    if LogFormat::of(path).is_none() {
        bail!(
            "--log-requests {}: unknown format; end the path in .jsonl or .csv",
            path.display()
        );
    }
    let path = std::env::current_dir()?.join(path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--log-requests: cannot create {}", dir.display()))?;
    }
    create_private(&path).map_err(|e| {
        anyhow!(
            "--log-requests {}: cannot write a file there ({e}); give a path in a directory you can write to",
            path.display()
        )
    })?;
    Ok(LogSpec {
        path,
        redact_headers: redact.to_vec(),
    })
}

/// A `--ca-cert` file, made absolute (the test binary runs in its package's directory) and read
/// now, so that a missing or malformed file stops the run before it starts. `source` names where
/// it came from, for the message.
fn ca_cert(path: &Path, source: &str) -> Result<PathBuf> {
    let path = std::env::current_dir()?.join(path);
    loadcase::__private::runner::read_ca_cert(&path).map_err(|e| anyhow!("{source}: {e}"))?;
    Ok(path)
}

/// `--redact-header NAME`: a header name as HTTP has them, or it could never match.
fn check_header_name(name: &str) -> Result<()> {
    let fix = "give a header name (letters, digits and !#$%&'*+-.^_`|~, no spaces), e.g. --redact-header X-Api-Key";
    if name.trim().is_empty() {
        bail!("--redact-header: the name is empty; {fix}");
    }
    if reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).is_err() {
        bail!("--redact-header `{name}` is not a header name; {fix}");
    }
    Ok(())
}

/// The advice for a URL given without its scheme (`127.0.0.1:8080`): the URL with `http://`, as
/// `written` puts it where it goes (`--url http://127.0.0.1:8080`); `example` for any other.
pub fn with_scheme(text: &str, example: &str, written: impl Fn(&str) -> String) -> String {
    if text.contains("://") {
        example.to_owned()
    } else {
        format!("write {} (or https://)", written(&format!("http://{text}")))
    }
}

/// A base URL for `cx.app`: http or https, a host, and no query or fragment (paths are
/// appended to it). `source` names where it came from, for the message.
fn check_server_url(url: &str, source: &str) -> Result<()> {
    let example = "write e.g. http://127.0.0.1:8080 or https://staging.example.com/api";
    let advice = || {
        with_scheme(url, example, |fixed| match source {
            "--server-url" => format!("--server-url {fixed}"),
            env::SERVER_URL => format!("{source}={fixed}"),
            _ => format!("server_url = \"{fixed}\""),
        })
    };
    if url.trim().is_empty() || url.contains(char::is_whitespace) {
        bail!("{source}: `{url}` is not a URL; {example}");
    }
    let parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            bail!("{source}: `{url}` has no scheme; {}", advice())
        }
        Err(e) => bail!("{source}: `{url}` is not a URL ({e}); {example}"),
    };
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        bail!(
            "{source}: `{url}` is not an http:// or https:// URL with a host; {}",
            advice()
        );
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        bail!(
            "{source}: `{url}` has a query or fragment, but request paths are appended to it; {example}"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
