//! The report's text sections: header and verdict, key figures, thresholds, the per-request
//! table, status codes / counters / WebSockets, and the grouped failures and errors.

use std::fmt::Write;

use loadcase::plan::{Length, Shape};
use loadcase::report::Stats;
use loadcase::report::Verdict;
use loadcase::report::{Distribution, Figures, RequestFigures};
use loadcase::{ProblemKind, Report};

use crate::text::format::{bytes, count, duration, escape_xml as escape, ms, percent, rate};

/// Title, when and what ran, the interrupted banner and the overall verdict.
pub fn header(out: &mut String, report: &Report, figures: &Figures, verdicts: &[Verdict]) {
    let started = chrono::DateTime::from_timestamp_millis(report.started_unix_ms as i64)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    let (class, word, reasons) = verdict(figures, &report.stats, verdicts);
    let _ = writeln!(
        out,
        "<header class=\"top\"><div class=\"title\"><p class=\"kicker\">loadcase report</p>\
         <h1>{}</h1><dl class=\"meta\"><div><dt>Started</dt><dd><time datetime=\"{started}\">\
         {started}</time></dd></div><div><dt>Duration</dt><dd>{}</dd></div>\
         <div><dt>Plan</dt><dd>{}</dd></div></dl></div>\
         <div class=\"verdict {class}\"><span class=\"badge\">{word}</span>\
         <span class=\"reasons\">{}</span></div></header>",
        escape(&report.test),
        escape(&duration(report.elapsed_secs)),
        escape(&plan(report)),
        escape(&reasons),
    );
    if report.interrupted {
        out.push_str(
            "<div class=\"banner\"><strong>Interrupted.</strong> The run was stopped before its \
             plan completed: every figure below covers only what ran.</div>\n",
        );
    }
}

/// The badge: red when a hit, a user's setup or teardown failed or a threshold broke, green
/// when none did, grey without anything to judge.
fn verdict(
    figures: &Figures,
    stats: &Stats,
    verdicts: &[Verdict],
) -> (&'static str, &'static str, String) {
    let hits = &figures.hits;
    let failed_hits = hits.errors + hits.failures;
    let broken = verdicts.iter().filter(|v| !v.passed).count();
    let mut reasons = Vec::new();
    if failed_hits > 0 {
        reasons.push(format!(
            "{} of {} hits failed",
            count(failed_hits),
            count(hits.total)
        ));
    }
    reasons.extend(super::per_test::hook_failures(stats));
    if broken > 0 {
        reasons.push(format!("{broken} of {} thresholds broken", verdicts.len()));
    }
    if !reasons.is_empty() {
        return ("fail", "Failed", reasons.join(" · "));
    }
    if hits.total == 0 && verdicts.is_empty() {
        return ("none", "No hits", "nothing completed".to_owned());
    }
    let mut reasons = vec![if hits.total == 0 {
        "no hit completed".to_owned()
    } else {
        format!("all {} hits succeeded", count(hits.total))
    }];
    if !verdicts.is_empty() {
        reasons.push(format!("{} thresholds met", verdicts.len()));
    }
    ("pass", "Passed", reasons.join(" · "))
}

/// `10 → 50 users · 20 hits per user`, `100 users · 5 min per stage`.
fn plan(report: &Report) -> String {
    let Some(plan) = &report.plan else {
        return "not recorded".to_owned();
    };
    let Shape::Fixed {
        users,
        length,
        ramp: None,
        pause: None,
        think: None,
    } = &plan.shape
    else {
        // Ramps and rates read best as the options that give them.
        return plan.options();
    };
    let noun = if users.as_slice() == [1] {
        "user"
    } else {
        "users"
    };
    let users: Vec<String> = users.iter().map(u32::to_string).collect();
    let length = match length {
        Length::Hits(hits) if hits.len() == 1 => format!("{} hits per user", count(hits[0])),
        Length::Hits(hits) => {
            let list: Vec<String> = hits.iter().map(u64::to_string).collect();
            let total = hits.iter().fold(0u64, |a, h| a.saturating_add(*h));
            format!("{} hits per user ({})", count(total), list.join(" + "))
        }
        Length::Duration(d) => format!("{} per stage", duration(d.as_secs_f64())),
    };
    format!("{} {noun} · {length}", users.join(" → "))
}

/// The figures a person looks for first, as cards.
pub fn key_figures(out: &mut String, figures: &Figures) {
    let hits = &figures.hits;
    let all = &figures.overall;
    out.push_str("<section class=\"cards\">");
    let mut hit_parts = vec![
        format!("{} ok", count(hits.success)),
        format!("{} errors", count(hits.errors)),
        format!("{} failures", count(hits.failures)),
    ];
    if hits.cancelled > 0 {
        hit_parts.push(format!("{} cancelled", count(hits.cancelled)));
    }
    card(out, "Hits", &count(hits.total), &hit_parts.join(" · "), "");
    card(
        out,
        "Requests",
        &count(all.count),
        &format!("{} errors", count(all.errors)),
        "",
    );
    card(
        out,
        "Throughput",
        &format!("{} /s", rate(all.rps)),
        &format!("{} hits/s", rate(hits.rate)),
        "",
    );
    let bad = if all.error_rate > 0.0 || hits.error_rate > 0.0 {
        "bad"
    } else {
        ""
    };
    card(
        out,
        "Error rate",
        &percent(all.error_rate),
        &format!("of requests · {} of hits", percent(hits.error_rate)),
        bad,
    );
    for (label, note) in [("p50", "median"), ("p95", ""), ("p99", "")] {
        let value = all.time.percentile(label).unwrap_or(0.0);
        let note = match label {
            "p50" => format!("{note} · mean {}", ms(all.time.mean_ms)),
            "p99" => format!("max {}", ms(all.time.max_ms)),
            _ => format!("stddev {}", ms(all.time.stddev_ms)),
        };
        let shown = if all.time.count == 0 {
            "–".to_owned()
        } else {
            ms(value)
        };
        card(out, &format!("Request {label}"), &shown, &note, "");
    }
    // The open model: what waiting for a free user did to the hits (coordinated omission).
    if hits.corrected.count > 0 || hits.dropped > 0 {
        let p99 = hits.corrected.percentile("p99").unwrap_or(0.0);
        let raw = hits.time.percentile("p99").unwrap_or(0.0);
        card(
            out,
            "Hit p99, corrected",
            &ms(p99),
            &format!("from when due · raw service time {}", ms(raw)),
            "",
        );
        let class = if hits.dropped > 0 { "bad" } else { "" };
        card(
            out,
            "Dropped",
            &count(hits.dropped),
            "due, never started: no free user",
            class,
        );
    }
    out.push_str("</section>\n");
}

fn card(out: &mut String, label: &str, value: &str, note: &str, class: &str) {
    let _ = write!(
        out,
        "<div class=\"figure {class}\"><div class=\"label\">{}</div><div class=\"value\">{}</div>\
         <div class=\"note\">{}</div></div>",
        escape(label),
        escape(value),
        escape(note)
    );
}

/// Each threshold, met or not, with what was measured.
pub fn thresholds(out: &mut String, verdicts: &[Verdict]) {
    if verdicts.is_empty() {
        return;
    }
    out.push_str(
        "<section class=\"card\"><h2>Thresholds</h2><table id=\"thresholds\" class=\"thresholds\">\
         <thead><tr><th></th><th>Threshold</th><th>Measured</th></tr></thead><tbody>",
    );
    for v in verdicts {
        let (class, mark, word) = if v.passed {
            ("pass", "✓", "met")
        } else {
            ("fail", "✗", "broken")
        };
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td class=\"mark\" title=\"{word}\">{mark}</td>\
             <td><code>{}</code></td><td>{}</td></tr>",
            escape(&v.threshold),
            escape(&v.measured)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// One row per request name and the overall row: counts, rates, the total-time distribution,
/// time to first byte and bytes.
pub fn requests(out: &mut String, figures: &Figures) {
    out.push_str("<section class=\"card\"><h2>Requests</h2>");
    if figures.requests.is_empty() {
        out.push_str("<p class=\"empty\">The test sent no HTTP request.</p></section>\n");
        return;
    }
    out.push_str(
        "<p class=\"caption\">Total time from <code>send()</code> until the body was read \
         (failed requests included); TTFB is the time until the response headers arrived.</p>\
         <div class=\"scroll\"><table id=\"requests\" class=\"numbers\"><thead>\
         <tr class=\"group\"><th colspan=\"5\"></th><th colspan=\"8\">Total time (ms)</th>\
         <th colspan=\"2\">TTFB (ms)</th><th colspan=\"2\">Bytes</th></tr><tr>\
         <th class=\"name\">Request</th><th>Count</th><th>Errors</th><th>Error %</th><th>Req/s</th>\
         <th>Mean</th><th>Stddev</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th>\
         <th>p99.9</th><th>Max</th><th>p50</th><th>p95</th><th>Sent</th><th>Received</th>\
         </tr></thead><tbody>",
    );
    for r in &figures.requests {
        request_row(out, r, "");
    }
    out.push_str("</tbody><tfoot>");
    request_row(out, &figures.overall, "overall");
    out.push_str("</tfoot></table></div></section>\n");
}

fn request_row(out: &mut String, r: &RequestFigures, class: &str) {
    // Milliseconds without the unit, which the header gives: one unit down a column compares
    // at a glance, and the 17 columns fit the page.
    let timed = |d: &Distribution, value: f64| {
        if d.count == 0 {
            "–".to_owned()
        } else if value >= 100.0 {
            format!("{value:.0}")
        } else if value >= 10.0 {
            format!("{value:.1}")
        } else {
            format!("{value:.2}")
        }
    };
    let p = |d: &Distribution, label: &str| timed(d, d.percentile(label).unwrap_or(0.0));
    let error_class = if r.errors > 0 { " class=\"bad\"" } else { "" };
    let _ = write!(
        out,
        "<tr class=\"{class}\"><td class=\"name\">{}</td><td>{}</td><td{error_class}>{}</td>\
         <td{error_class}>{}</td><td>{}</td>",
        escape(&r.name),
        count(r.count),
        count(r.errors),
        percent(r.error_rate),
        rate(r.rps)
    );
    let t = &r.time;
    for cell in [
        timed(t, t.mean_ms),
        timed(t, t.stddev_ms),
        p(t, "p50"),
        p(t, "p90"),
        p(t, "p95"),
        p(t, "p99"),
        p(t, "p99.9"),
        timed(t, t.max_ms),
        p(&r.ttfb, "p50"),
        p(&r.ttfb, "p95"),
        bytes(r.bytes_sent),
        bytes(r.bytes_received),
    ] {
        let _ = write!(out, "<td>{}</td>", escape(&cell));
    }
    out.push_str("</tr>");
}

/// Status codes with their share, custom counters and WebSocket activity, side by side.
pub fn breakdowns(out: &mut String, stats: &Stats) {
    out.push_str("<section class=\"trio\">");
    out.push_str("<div class=\"card\"><h2>Status codes</h2>");
    let responses: u64 = stats.status_codes.values().sum();
    if responses == 0 {
        out.push_str("<p class=\"empty\">No HTTP response.</p>");
    } else {
        out.push_str("<table id=\"status-codes\" class=\"bars\"><tbody>");
        for (code, n) in &stats.status_codes {
            let share = *n as f64 / responses as f64;
            let _ = write!(
                out,
                "<tr><td><span class=\"code c{}\">{code}</span></td><td class=\"num\">{}</td>\
                 <td class=\"bar\"><span style=\"width:{:.1}%\" class=\"c{}\"></span></td>\
                 <td class=\"num share\">{}</td></tr>",
                code / 100,
                count(*n),
                (share * 100.0).max(0.5),
                code / 100,
                percent(share)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</div><div class=\"card\"><h2>Counters</h2>");
    if stats.counters.is_empty() {
        out.push_str("<p class=\"empty\">No custom counter (<code>cx.incr(…)</code>).</p>");
    } else {
        out.push_str("<table id=\"counters\" class=\"pairs\"><tbody>");
        for (name, n) in &stats.counters {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                escape(name),
                count(*n)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</div><div class=\"card\"><h2>WebSockets</h2>");
    let ws = &stats.websockets;
    if ws.opened == 0 && ws.messages_sent == 0 && ws.messages_received == 0 {
        out.push_str("<p class=\"empty\">No WebSocket opened.</p>");
    } else {
        out.push_str("<table id=\"websockets\" class=\"pairs\"><tbody>");
        for (label, value) in [
            ("Opened", count(ws.opened)),
            ("Messages sent", count(ws.messages_sent)),
            ("Messages received", count(ws.messages_received)),
            ("Bytes sent", bytes(ws.bytes_sent)),
            ("Bytes received", bytes(ws.bytes_received)),
        ] {
            let _ = write!(
                out,
                "<tr><td>{label}</td><td class=\"num\">{value}</td></tr>"
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</div></section>\n");
}

/// Failures and errors grouped by message and location, most frequent first, messages as
/// written (line breaks kept). The newline after `<pre>` is there because HTML drops the first
/// one: a message that starts with a line break keeps it.
pub fn problems(out: &mut String, stats: &Stats) {
    out.push_str("<section class=\"card\"><h2>Failures and errors</h2>");
    let groups = stats.problems_by_count();
    if groups.is_empty() {
        out.push_str("<p class=\"empty good\">No hit failed.</p></section>\n");
        return;
    }
    out.push_str(
        "<table id=\"problems\" class=\"problems\"><thead><tr><th>Kind</th><th>Hits</th>\
         <th>Message and location</th></tr></thead><tbody>",
    );
    for g in groups {
        let kind = match g.kind {
            ProblemKind::Failure => "failure",
            ProblemKind::Error => "error",
        };
        let location = g.location.as_deref().unwrap_or("unknown location");
        let _ = write!(
            out,
            "<tr><td><span class=\"kind {kind}\">{kind}</span></td><td class=\"num\">{}</td>\
             <td><pre>\n{}</pre><code class=\"location\">{}</code></td></tr>",
            count(g.count),
            escape(&g.message),
            escape(location)
        );
    }
    out.push_str("</tbody></table></section>\n");
}
