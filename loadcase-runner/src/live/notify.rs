//! The end-of-run webhook (`--notify URL`, repeatable; `notify` in a profile): a JSON summary
//! POSTed when the run ends, however it ends — passed, failed, thresholds broken, interrupted,
//! crashed. Bounded in time (a few seconds per URL at most), and a failed notification never
//! changes the run's exit code: the summary says it failed.

use std::time::Duration;

use loadcase::Report;
use loadcase::report::Verdict;
use serde::Serialize;

/// How long one notification may take, each try.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Tries per URL.
const TRIES: u32 = 2;

/// How a run ended, for whoever is told.
pub struct End<'a> {
    /// Its report (final, or what it had reported).
    pub report: &'a Report,
    /// Its thresholds, judged.
    pub verdicts: &'a [Verdict],
    /// The exit code `cargo loadrun` returns.
    pub code: u8,
    /// Whether its test binary crashed.
    pub crashed: bool,
    /// The summary as printed, without colours.
    pub summary: &'a str,
}

/// What a notification says.
#[derive(Debug, Serialize)]
pub struct Notice<'a> {
    /// The kind of message, and its version, for whoever receives it.
    pub schema: &'static str,
    /// The test (or mix), as the summary names it.
    pub test: &'a str,
    /// The run's id (`--run-id`, or the history's).
    pub run_id: Option<&'a str>,
    /// `passed`, `failed`, `thresholds`, `interrupted` or `crashed`.
    pub verdict: &'static str,
    /// The exit code `cargo loadrun` returns.
    pub exit_code: u8,
    /// Key figures.
    pub figures: KeyFigures,
    /// Each threshold, met or broken, with what was measured.
    pub thresholds: &'a [Verdict],
    /// The text summary, as printed (no colours, no links).
    pub summary: &'a str,
}

/// The figures a notification leads with.
#[derive(Debug, Serialize)]
pub struct KeyFigures {
    /// Hits completed.
    pub hits: u64,
    /// Hits that did not succeed (errors, failures, cancelled).
    pub hit_problems: u64,
    /// HTTP requests sent.
    pub requests: u64,
    /// Requests that were errors.
    pub request_errors: u64,
    /// Real elapsed seconds.
    pub elapsed_secs: f64,
    /// Hits per second over the real elapsed time.
    pub hits_per_sec: f64,
    /// Request time percentiles over every request, in milliseconds.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
}

impl<'a> Notice<'a> {
    /// The notice of a finished (or crashed) run.
    pub fn new(
        report: &'a Report,
        verdicts: &'a [Verdict],
        exit_code: u8,
        crashed: bool,
        summary: &'a str,
    ) -> Notice<'a> {
        let hits = &report.stats.hits;
        let all = report.stats.all_requests();
        let ms = |q: f64| all.time.quantile(q).as_secs_f64() * 1e3;
        let elapsed = report.elapsed_secs;
        let verdict = if crashed {
            "crashed"
        } else {
            match exit_code {
                crate::exit::SUCCESS => "passed",
                crate::exit::THRESHOLDS => "thresholds",
                crate::exit::INTERRUPTED => "interrupted",
                _ => "failed",
            }
        };
        Notice {
            schema: "loadcase.notice.v1",
            test: &report.test,
            run_id: report.run_id.as_deref(),
            verdict,
            exit_code,
            figures: KeyFigures {
                hits: hits.total(),
                hit_problems: hits.errors + hits.failures + hits.cancelled,
                requests: all.count,
                request_errors: all.errors,
                elapsed_secs: elapsed,
                hits_per_sec: if elapsed > 0.0 {
                    hits.total() as f64 / elapsed
                } else {
                    0.0
                },
                p50_ms: ms(0.5),
                p95_ms: ms(0.95),
                p99_ms: ms(0.99),
            },
            thresholds: verdicts,
            summary,
        }
    }
}

/// Tells every URL in `urls` how the run ended; returns the summary's line about it (none
/// without URLs). A failed delivery is a warning on stderr, never a changed exit code.
pub fn tell(urls: &[String], end: &End<'_>) -> Option<String> {
    if urls.is_empty() {
        return None;
    }
    let notice = Notice::new(end.report, end.verdicts, end.code, end.crashed, end.summary);
    let failures = send(urls, &notice);
    for failure in &failures {
        eprintln!(
            "{} --notify: {failure}",
            console::style("warning:").yellow().bold()
        );
    }
    Some(format!(
        "Notified: {} of {} webhook{}",
        urls.len() - failures.len(),
        urls.len(),
        if urls.len() == 1 { "" } else { "s" }
    ))
}

/// Sends `notice` to every URL; the failures, each with its URL (without a password) and why.
pub fn send(urls: &[String], notice: &Notice<'_>) -> Vec<String> {
    if urls.is_empty() {
        return Vec::new();
    }
    let body = match serde_json::to_vec(notice) {
        Ok(body) => body,
        Err(e) => return vec![format!("cannot write the notification: {e}")],
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return vec![format!("cannot start a runtime to notify with: {e}")],
    };
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(client) => client,
        Err(e) => return vec![format!("cannot make an HTTP client: {e}")],
    };
    let mut failed = Vec::new();
    for url in urls {
        let shown = shown(url);
        let mut last = None;
        for _ in 0..TRIES {
            // The request is made inside the runtime: reqwest's timers need it.
            let sent = runtime.block_on(async {
                client
                    .post(url)
                    .header("Content-Type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
            });
            match sent {
                Ok(r) if r.status().is_success() => {
                    last = None;
                    break;
                }
                Ok(r) => last = Some(format!("{shown}: answered {}", r.status())),
                Err(e) => last = Some(format!("{shown}: {}", e.without_url())),
            }
        }
        failed.extend(last);
    }
    failed
}

/// A URL as messages show it: no user or password.
fn shown(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Err(_) => "(a URL that does not parse)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// A server that answers one POST with 204 and gives back its body.
    fn one_post() -> (String, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://u:p@{}/hook", listener.local_addr().unwrap());
        let thread = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(socket.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = n.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            socket
                .write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                .unwrap();
            String::from_utf8(body).unwrap()
        });
        (url, thread)
    }

    #[test]
    fn the_notice_says_how_the_run_ended_with_its_key_figures() {
        let mut report = Report {
            test: "example::test_es".into(),
            elapsed_secs: 2.0,
            ..Report::default()
        };
        report.stats.hits.success = 9;
        report.stats.hits.failures = 1;
        let (url, server) = one_post();
        let failed = send(
            std::slice::from_ref(&url),
            &Notice::new(&report, &[], 1, false, "Hits: 10\n"),
        );
        assert!(failed.is_empty(), "{failed:?}");
        let got: serde_json::Value = serde_json::from_str(&server.join().unwrap()).unwrap();
        assert_eq!(got["verdict"], "failed");
        assert_eq!(got["exit_code"], 1);
        assert_eq!(got["figures"]["hits"], 10);
        assert_eq!(got["figures"]["hit_problems"], 1);
        assert_eq!(got["figures"]["hits_per_sec"], 5.0);
        assert_eq!(got["summary"], "Hits: 10\n");
        let crashed = Notice::new(&report, &[], 2, true, "");
        assert_eq!(crashed.verdict, "crashed");
    }

    #[test]
    fn a_notification_that_fails_says_so_in_bounded_time_without_the_password() {
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let started = std::time::Instant::now();
        let failed = send(
            &[format!("http://u:s3cret@{closed}/hook")],
            &Notice::new(&Report::default(), &[], 0, false, ""),
        );
        assert_eq!(failed.len(), 1);
        assert!(
            failed[0].starts_with(&format!("http://{closed}/hook: ")),
            "{failed:?}"
        );
        assert!(!failed[0].contains("s3cret"));
        assert!(started.elapsed() < Duration::from_secs(11));
    }
}
