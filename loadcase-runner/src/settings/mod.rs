//! A run's settings: its plan and what it leaves behind, from the command line over a
//! `loadcase.toml` [`profile`], checked before anything is built or run.

pub mod profile;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use loadcase::__private::runner::{PlanArgs, env};
use loadcase::Plan;
use loadcase::plan::{LogFormat, LogSpec, PlanField};
use loadcase::report as threshold;

use crate::cli::{OutputOptions, PlanOptions};
use crate::reports;
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
}

/// The settings from the command line's plan and outputs over `profile` (the default one when
/// no `--profile` is given).
pub fn resolve(
    plan: &PlanOptions,
    outputs: &OutputOptions,
    profile: profile::Settings,
) -> Result<Settings> {
    let mut args = PlanArgs::default();
    for field in PlanField::ALL {
        args.set(field, plan.get(field));
    }
    // A length on the command line replaces the profile's, whichever kind each is.
    if args.hits.is_none() && args.duration.is_none() {
        args.hits = profile.hits.as_deref();
        args.duration = profile.duration.as_deref();
    }
    if args.users.is_none() {
        args.users = profile.users.as_deref();
    }
    let mut resolved = Plan::parse_args(&args)?;
    if let Some(url) = &plan.server_url {
        check_server_url(url, "--server-url")?;
        resolved.server_url = Some(url.clone());
    } else if let Some(url) = profile.server_url {
        check_server_url(&url, "the profile's server_url")?;
        resolved.server_url = Some(url);
    } else if let Some(url) = std::env::var(env::SERVER_URL)
        .ok()
        .filter(|u| !u.is_empty())
    {
        // Checked only when it is the one in force: --server-url overrides it.
        check_server_url(&url, env::SERVER_URL)?;
    }
    // Lists given on the command line replace the profile's.
    let thresholds = if outputs.thresholds.is_empty() {
        profile.thresholds
    } else {
        outputs.thresholds.clone()
    };
    let thresholds =
        threshold::parse_thresholds(&thresholds).map_err(|e| anyhow!("--threshold: {e}"))?;
    let reports = if outputs.reports.is_empty() {
        profile.reports
    } else {
        outputs.reports.clone()
    };
    reports::check(&reports)?;
    if let Some(path) = &outputs.log_requests {
        resolved.log = Some(request_log_spec(path, &outputs.redact_headers)?);
    }
    Ok(Settings {
        plan: resolved,
        outputs: Outputs {
            thresholds: Thresholds {
                run: thresholds,
                by_test: Vec::new(),
            },
            reports,
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
    std::fs::File::create(&path)
        .with_context(|| format!("--log-requests: cannot write {}", path.display()))?;
    Ok(LogSpec {
        path,
        redact_headers: redact.to_vec(),
    })
}

/// A base URL for `cx.app`: http or https, a host, and no query or fragment (paths are
/// appended to it). `source` names where it came from, for the message.
fn check_server_url(url: &str, source: &str) -> Result<()> {
    let example = "write e.g. http://127.0.0.1:8080 or https://staging.example.com/api";
    let parsed = url::Url::parse(url)
        .map_err(|e| anyhow!("{source}: `{url}` is not a URL ({e}); {example}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        bail!("{source}: `{url}` is not an http:// or https:// URL with a host; {example}");
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        bail!(
            "{source}: `{url}` has a query or fragment, but request paths are appended to it; {example}"
        );
    }
    Ok(())
}
