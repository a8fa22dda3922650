//! Quick mode: `cargo loadrun --url URL`, a load on one URL without writing a test (as ab, oha
//! and PyLoad do it). No cargo project is needed and nothing is built: the runner runs the load
//! engine in its own process, with a hit that sends the request the command line describes
//! through the user's `cx.app` (so it is recorded by the session, `METHOD /path` in the request
//! table), then shows the same progress, summary, reports, thresholds and exit codes as a test.

use std::sync::Arc;

use anyhow::{Context as _, Result, anyhow, bail};
use bytes::Bytes;
use console::style;
use loadcase::{Context, Control, Outcome, Problem, Report, Test};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::finish;
use crate::cli::Cli;
use crate::cli::quick::QuickOptions;
use crate::history::baseline::Baseline;
use crate::history::tracking::Tracking;
use crate::live::{End, Live, view};
use crate::progress::Display;
use crate::settings::{self, Outputs, Settings, profile};
use crate::signal;

/// The module path of every quick run: its report and history name is `quick::METHOD URL`, so
/// `cargo loadrun history quick --history PATH` lists them all.
const MODULE: &str = "quick";

/// The request each hit sends, as the command line gave it.
#[derive(Debug)]
pub struct Request {
    method: Method,
    /// As parsed (normalized), credentials included: reqwest turns them into basic auth.
    url: String,
    headers: HeaderMap,
    body: Option<Bytes>,
    /// Accepted statuses; empty means any 2xx or 3xx, as `cx.app` has it.
    expected: Vec<u16>,
    /// `METHOD URL` without credentials: the display name, and where problems are said to be.
    label: String,
}

impl Request {
    /// Checks and assembles everything the command line says about the request.
    pub fn from_options(url: &str, options: &QuickOptions) -> Result<Request> {
        let url = parse_url(url)?;
        let body = options
            .data
            .as_deref()
            .map(read_body)
            .transpose()?
            .map(Bytes::from);
        let method = match &options.method {
            Some(text) => parse_method(text)?,
            None if body.is_some() => Method::POST,
            None => Method::GET,
        };
        let mut headers = HeaderMap::new();
        for text in &options.headers {
            let (name, value) = parse_header(text)?;
            headers.append(name, value);
        }
        let mut shown = url.clone();
        // Infallible for an http(s) URL with a host, which `parse_url` made sure of.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        Ok(Request {
            label: format!("{method} {shown}"),
            method,
            url: url.into(),
            headers,
            body,
            expected: options.expect_status.clone(),
        })
    }
}

/// `--method`: any HTTP method token, case-insensitive (`post` sends `POST`).
pub fn parse_method(text: &str) -> Result<Method> {
    let upper = text.trim().to_ascii_uppercase();
    Method::from_bytes(upper.as_bytes()).map_err(|_| {
        anyhow!(
            "--method: `{text}` is not an HTTP method; write e.g. --method POST \
             (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, or another single word)"
        )
    })
}

/// `--header 'Name: value'`.
pub fn parse_header(text: &str) -> Result<(HeaderName, HeaderValue)> {
    let example = "write it as 'Name: value', e.g. --header 'Content-Type: application/json'";
    let Some((name, value)) = text.split_once(':') else {
        bail!("--header `{text}` has no colon between the name and the value; {example}");
    };
    let name = name.trim();
    if name.is_empty() {
        bail!("--header `{text}` has no name before the colon; {example}");
    }
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        anyhow!(
            "--header `{text}`: `{name}` is not a header name (letters, digits and !#$%&'*+-.^_`|~, no spaces); {example}"
        )
    })?;
    let value = HeaderValue::from_bytes(value.trim().as_bytes()).map_err(|_| {
        anyhow!(
            "--header `{text}`: the value holds a control character (a newline, say), which a header cannot carry; {example}"
        )
    })?;
    Ok((name, value))
}

/// `--url`: an absolute http:// or https:// URL with a host; a query is kept.
pub fn parse_url(text: &str) -> Result<Url> {
    let example = "write e.g. --url http://127.0.0.1:8080/api";
    let with_scheme = || settings::with_scheme(text, example, |fixed| format!("--url {fixed}"));
    let url = match Url::parse(text) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            bail!("--url: `{text}` has no scheme; {}", with_scheme())
        }
        Err(e) => bail!("--url: `{text}` is not a URL ({e}); {example}"),
    };
    if !matches!(url.scheme(), "http" | "https") {
        bail!(
            "--url: `{text}` is not an http:// or https:// URL (quick mode sends HTTP requests); {}",
            with_scheme()
        );
    }
    if url.host_str().is_none_or(str::is_empty) {
        bail!("--url: `{text}` has no host; {example}");
    }
    Ok(url)
}

/// `--data`: the body as given, or with `@FILE` the file's bytes (as curl reads it).
pub fn read_body(data: &str) -> Result<Vec<u8>> {
    match data.strip_prefix('@') {
        Some(path) if !path.is_empty() => std::fs::read(path).with_context(|| {
            format!(
                "--data {data}: cannot read the file `{path}`; give a readable file after @ (or a body that does not start with @)"
            )
        }),
        _ => Ok(data.as_bytes().to_vec()),
    }
}

/// One hit: the request, through the user's `cx.app`, which records it in the session and
/// turns an unexpected status into a failure naming the status got and the ones expected.
async fn send(request: &Request, cx: &mut Context) -> Outcome {
    let mut builder = cx.app.request(request.method.clone(), &request.url);
    for &status in &request.expected {
        builder = builder.expect_status(status);
    }
    if !request.headers.is_empty() {
        builder = builder.headers(request.headers.clone());
    }
    if let Some(body) = &request.body {
        // Shared, not copied: every hit sends the same bytes.
        builder = builder.body(body.clone());
    }
    match builder.await {
        Ok(_) => Ok(()),
        // Said to be at the request, not at the line of this file that sent it.
        Err(error) => Err(problem(
            error.kind(),
            error.message().to_owned(),
            &request.label,
        )),
    }
}

fn problem(kind: loadcase::ProblemKind, message: String, location: &str) -> Problem {
    Problem {
        kind,
        message,
        location: Some(location.to_owned()),
    }
}

/// `cargo loadrun --url …`: checks everything, runs the load, prints and saves the results;
/// returns the exit code. A usage error comes back as an `Err` before any request is sent.
pub fn dispatch(url: &str, cli: &Cli) -> Result<u8> {
    let request = Request::from_options(url, &cli.quick)?;
    let Settings { plan, outputs } = settings(cli)?;
    loadcase::__private::runner::worker_threads().map_err(|message| anyhow!(message))?;
    if cli.history.history.is_none()
        && let Some(text) = &cli.history.compare
        && !matches!(Baseline::parse(text), Baseline::File(_))
    {
        bail!(
            "--compare {text}: quick mode keeps no run history unless you give one with --history PATH; \
             add --history, or compare with a JSON report written by --report FILE.json"
        );
    }
    let label = request.label.clone();
    let request = Arc::new(request);
    let test = Test::new(
        format!("{MODULE}::{label}"),
        async move |cx: &mut Context| send(&request, cx).await,
    );
    let mut tracking = tracking(cli, test.name())?;

    let mut live = Some(Live::start(&view::runs(), test.name(), &plan, &outputs));
    let mut display = Display::new(cli.quiet || crate::live::detached(), &label, &plan);
    let control = Control::default();
    let mut stopping = false;
    let mut ticks = 0u32;
    let mut report = loadcase::run(&test, &plan, &control, &mut |progress, so_far| {
        display.progress(progress);
        if let Some(live) = &mut live {
            live.progress(progress);
        }
        ticks += 1;
        // A snapshot a second, as a test binary sends them.
        if ticks.is_multiple_of(4)
            && let Some(live) = &mut live
        {
            live.snapshot(so_far, Some(progress));
        }
        let interrupts = signal::interrupts();
        if interrupts >= 1 && !stopping {
            stopping = true;
            control.stop();
            display.note("stopping: finishing running hits (Ctrl-C again to stop at once)");
        }
        if interrupts >= 2 {
            display.finish();
            stop_now(so_far, &outputs, tracking.take(), live.take());
        }
    });
    display.finish();
    Ok(finish_run(&mut report, &outputs, tracking, live))
}

/// Prints, saves, records and tells the end of a run; returns its exit code.
fn finish_run(
    report: &mut Report,
    outputs: &Outputs,
    tracking: Option<Tracking>,
    live: Option<Live>,
) -> u8 {
    let finished = finish::complete(report, outputs);
    let code = match tracking {
        Some(tracking) => tracking.finish(report, finished.code, &finished.verdicts),
        None => finished.code,
    };
    if let Some(live) = live {
        live.finish(&End {
            report,
            verdicts: &finished.verdicts,
            code,
            crashed: false,
            summary: &finished.summary,
        });
    }
    code
}

/// The plan and outputs, from the command line over `--profile NAME` of `loadcase.toml` in the
/// current directory (there is no package to look in).
fn settings(cli: &Cli) -> Result<Settings> {
    let Some(name) = &cli.profile else {
        return settings::resolve(&cli.plan, &cli.outputs, &cli.live, None);
    };
    let dir = std::env::current_dir().context("cannot read the current directory")?;
    let file = profile::find(&[dir.as_path()]).ok_or_else(|| {
        anyhow!(
            "--profile {name}: no {} in the current directory {}; with --url the profile is read from there; create one with a [profile.{name}] table",
            profile::FILE,
            dir.display()
        )
    })?;
    settings::resolve(
        &cli.plan,
        &cli.outputs,
        &cli.live,
        Some(&profile::load(&file, name)?),
    )
}

/// The run history only with `--history PATH`: outside a workspace there is no default place
/// for it. `--compare FILE.json` works without one.
fn tracking(cli: &Cli, test: &str) -> Result<Option<Tracking>> {
    let options = &cli.history;
    if options.history.is_none() && options.compare.is_none() {
        return Ok(None);
    }
    let dir = std::env::current_dir().context("cannot read the current directory")?;
    let tracking = Tracking::start(options, &dir, test)?;
    Ok(Some(if options.history.is_some() {
        tracking
    } else {
        tracking.without_recording()
    }))
}

/// A second Ctrl-C: the summary of what had been measured (up to a tick old), recorded in the
/// history as interrupted, then exit 130 without waiting for the running requests.
fn stop_now(
    so_far: &Report,
    outputs: &Outputs,
    tracking: Option<Tracking>,
    live: Option<Live>,
) -> ! {
    eprintln!(
        "{} stopped at once on the second Ctrl-C; the figures below were measured up to 250 ms before",
        style("interrupted:").yellow().bold()
    );
    let mut report = so_far.clone();
    report.interrupted = true;
    let code = finish_run(&mut report, outputs, tracking, live);
    let _ = std::io::Write::flush(&mut std::io::stdout());
    std::process::exit(i32::from(code))
}

#[cfg(test)]
mod tests;
