//! The summary printed after a run: Loads' block with its exact labels first, then what Loads
//! lacked — WebSocket messages each way, the users' setups and teardowns, each test of a mix,
//! each stage of a staged plan, the open model's times, a table per request name, status
//! codes, counters, grouped failures and errors, hits that blocked their thread, and the
//! request log.

use std::fmt::Write;

use console::style;
use loadcase::Report;
use loadcase::report::Stats;
use loadcase::report::Verdict;

use crate::text::format::{local_time, seconds};

/// Renders the whole summary, with the thresholds' verdicts last.
pub fn render(report: &Report, verdicts: &[Verdict]) -> String {
    let mut out = String::new();
    loads_block(&mut out, report);
    websockets(&mut out, &report.stats);
    insecure(&mut out, report);
    hooks::render(&mut out, &report.stats);
    by_test::render(&mut out, report);
    stages::table(&mut out, report);
    open::render(&mut out, report);
    requests::table(&mut out, report);
    status_codes(&mut out, &report.stats);
    counters(&mut out, &report.stats);
    problems(&mut out, &report.stats);
    blocking::render(&mut out, report);
    request_log(&mut out, report);
    generator(&mut out, report);
    thresholds(&mut out, verdicts);
    out
}

/// WebSocket messages and bytes each way, beside Loads' two WebSocket lines (sockets opened,
/// bytes received), which stay as Loads wrote them.
fn websockets(out: &mut String, stats: &Stats) {
    let ws = &stats.websockets;
    if ws.opened + ws.messages_sent + ws.messages_received == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "\nWebSocket messages: {} sent ({} bytes), {} received ({} bytes), on {} sockets",
        ws.messages_sent, ws.bytes_sent, ws.messages_received, ws.bytes_received, ws.opened
    );
}

/// With `--log-requests`: how many entries the request log holds and where it is.
fn request_log(out: &mut String, report: &Report) {
    let Some(written) = report.logged_requests else {
        return;
    };
    let entries = if written == 1 { "entry" } else { "entries" };
    let path = report.plan.as_ref().and_then(|p| p.log.as_ref());
    let to = path.map_or_else(String::new, |log| format!(" to {}", log.path.display()));
    let _ = writeln!(out, "\nRequest log: {written} {entries} written{to}");
}

/// `--insecure` where it cannot be missed: with no certificate checked, any server could have
/// answered, and the figures may not be the intended server's.
fn insecure(out: &mut String, report: &Report) {
    if report.plan.as_ref().is_some_and(|plan| plan.insecure) {
        let _ = writeln!(
            out,
            "\n{} TLS certificates were not checked (--insecure): any server could have answered for the https:// and wss:// hosts of this run",
            style("Insecure:").yellow().bold()
        );
    }
}

/// What the load cost the generator: if it nears a core per worker thread, the generator, not
/// the server, may be what limits the rate.
fn generator(out: &mut String, report: &Report) {
    let Some(cpu) = report.cpu_secs else {
        return;
    };
    let requests = report.stats.request_count();
    let per_request = if requests > 0 {
        format!(", {:.1}µs per request", cpu * 1e6 / requests as f64)
    } else {
        String::new()
    };
    let cores = if report.elapsed_secs > 0.0 {
        cpu / report.elapsed_secs
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "\nGenerator CPU: {cpu:.2}s{per_request} ({cores:.2} cores busy on average)"
    );
    if let Some(rss) = report.peak_rss_bytes {
        let _ = writeln!(out, "Generator peak memory: {:.1} MB", rss as f64 / 1e6);
    }
}

fn thresholds(out: &mut String, verdicts: &[Verdict]) {
    if verdicts.is_empty() {
        return;
    }
    let broken = verdicts.iter().filter(|v| !v.passed).count();
    let _ = writeln!(
        out,
        "\nThresholds: {} met, {broken} broken",
        verdicts.len() - broken
    );
    let width = verdicts
        .iter()
        .map(|v| v.threshold.chars().count())
        .max()
        .unwrap_or(0);
    for v in verdicts {
        let mark = if v.passed {
            style("✓").green()
        } else {
            style("✗").red().bold()
        };
        let _ = writeln!(
            out,
            "  {mark} {:<width$}  measured {}",
            v.threshold, v.measured
        );
    }
}

fn loads_block(out: &mut String, report: &Report) {
    let stats = &report.stats;
    let hits = stats.hits.total();
    let elapsed = report.elapsed_secs;
    let rps = if elapsed > 0.0 {
        (hits as f64 / elapsed).round() as u64
    } else {
        0
    };
    let started = local_time(report.started_unix_ms as i64);
    let average = stats.all_request_times().mean().as_secs_f64();
    let ws = &stats.websockets;
    let _ = writeln!(out, "Hits: {hits}");
    let _ = writeln!(out, "Started: {started}");
    let _ = writeln!(out, "Duration: {elapsed:.2} seconds");
    let _ = writeln!(out, "Approximate Average RPS: {rps}");
    let _ = writeln!(out, "Average request time: {}s", seconds(average));
    let _ = writeln!(out, "Opened web sockets: {}", ws.opened);
    let _ = writeln!(
        out,
        "Bytes received via web sockets : {}",
        ws.bytes_received
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Success: {}", stats.hits.success);
    let _ = writeln!(out, "Errors: {}", stats.hits.errors);
    let _ = writeln!(out, "Failures: {}", stats.hits.failures);
    if stats.hits.cancelled > 0 {
        // Under --hit-timeout a cancelled hit may also be one the watchdog gave up on: saying
        // only "grace period" would send the reader looking for a stage end that never came.
        let also = if report
            .plan
            .as_ref()
            .is_some_and(|p| p.hit_timeout.is_some())
        {
            ", or held its worker thread past --hit-timeout and was given up"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "Cancelled: {} (still running when a grace period ended{also}; not counted above)",
            stats.hits.cancelled
        );
    }
    if stats.hits.dropped > 0 {
        let _ = writeln!(out, "Dropped: {}", stats.hits.dropped);
    }
    if let Some(reason) = &report.stop_reason {
        let _ = writeln!(
            out,
            "\nStopped early: {reason}\nThe figures cover what ran."
        );
    } else if report.interrupted {
        let _ = writeln!(
            out,
            "\nInterrupted: the plan did not complete; the figures cover what ran."
        );
    }
}

fn status_codes(out: &mut String, stats: &Stats) {
    if stats.status_codes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nStatus codes:");
    for (code, count) in &stats.status_codes {
        let _ = writeln!(out, "  {code}: {count}");
    }
}

fn counters(out: &mut String, stats: &Stats) {
    if stats.counters.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nCounters:");
    for (name, count) in &stats.counters {
        let _ = writeln!(out, "  {name}: {count}");
    }
}

fn problems(out: &mut String, stats: &Stats) {
    let groups = stats.problems_by_count();
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nFailures and errors, most common first:");
    for group in groups {
        let mut lines = group.message.lines();
        let first = lines.next().unwrap_or("");
        let plural = if group.count == 1 {
            "occurrence"
        } else {
            "occurrences"
        };
        let _ = writeln!(out, "\n  {} {plural} of: {first}", group.count);
        for line in lines {
            let _ = writeln!(out, "      {line}");
        }
        let at = group.location.as_deref().unwrap_or("unknown location");
        let _ = writeln!(out, "    {} at {at}", group.kind);
    }
}

pub mod blocking;
mod by_test;
mod hooks;
mod open;
mod requests;
pub mod stages;
#[cfg(test)]
mod tests;
