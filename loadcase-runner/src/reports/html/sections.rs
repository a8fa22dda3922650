//! The report's text sections: header and verdict, key figures, thresholds, the per-request
//! table, status codes / counters / WebSockets, and the grouped failures and errors. Each is
//! markup whose text maud escapes: nothing of the run can become a tag.

use loadcase::plan::{Length, Shape};
use loadcase::report::Stats;
use loadcase::report::Verdict;
use loadcase::report::{Distribution, Figures, HitFigures, RequestFigures};
use loadcase::{ProblemKind, Report};
use maud::{Markup, html};

use super::table::number_table;
use crate::text::format::{bytes, count, duration, figure, ms, percent, utc_time};

/// Title, when and what ran, the interrupted banner and the overall verdict.
pub fn header(report: &Report, figures: &Figures, verdicts: &[Verdict]) -> Markup {
    let started = utc_time(report.started_unix_ms, "Z").unwrap_or_else(|| "unknown".to_owned());
    let (class, word, reasons) = verdict(figures, &report.stats, verdicts);
    html! {
        header.top {
            div.title {
                p.kicker { "loadcase report" }
                h1 { (report.test) }
                dl.meta {
                    div { dt { "Started" } dd { time datetime=(started) { (started) } } }
                    div { dt { "Duration" } dd { (duration(report.elapsed_secs)) } }
                    div { dt { "Plan" } dd { (plan(report)) } }
                    @if let Some(server) = server(report) {
                        div { dt { "Server" } dd.server { (server) } }
                    }
                }
            }
            div class={ "verdict " (class) } {
                span.badge { (word) }
                span.reasons { (reasons) }
            }
        }
        @if report.interrupted {
            div.banner {
                strong { "Interrupted." }
                " The run was stopped before its plan completed: every figure below covers only \
                 what ran."
            }
        }
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
    reasons.extend(super::by_test::hook_failures(stats));
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

/// The server URL the run's `cx.app` requests went to (as the report keeps it, without a
/// password), or what stood for one; nothing when the report has no plan.
fn server(report: &Report) -> Option<String> {
    let plan = report.plan.as_ref()?;
    Some(match &plan.server_url {
        Some(url) => url.clone(),
        None if !plan.mix.is_empty() => "each test's own".to_owned(),
        None => "none set: the test's own URLs".to_owned(),
    })
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
pub fn key_figures(figures: &Figures) -> Markup {
    let hits = &figures.hits;
    let all = &figures.overall;
    let mut hit_parts = vec![
        format!("{} ok", count(hits.success)),
        format!("{} errors", count(hits.errors)),
        format!("{} failures", count(hits.failures)),
    ];
    if hits.cancelled > 0 {
        hit_parts.push(format!("{} cancelled", count(hits.cancelled)));
    }
    let request_times = [("p50", "median"), ("p95", ""), ("p99", "")].map(|(label, note)| {
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
        (format!("Request {label}"), shown, note)
    });
    // The open model: what waiting for a free user did to the hits (coordinated omission).
    let open = hits.corrected.count > 0 || hits.dropped > 0;
    html! {
        section.cards {
            (card("Hits", &count(hits.total), &hit_parts.join(" · "), false))
            (card("Requests", &count(all.count), &format!("{} errors", count(all.errors)), false))
            (card(
                "Throughput",
                &format!("{} /s", figure(all.rps)),
                &format!("{} hits/s", figure(hits.rate)),
                false
            ))
            (error_rates(hits, all))
            @for (label, value, note) in &request_times {
                (card(label, value, note, false))
            }
            @if open {
                (card(
                    "Hit p99, corrected",
                    &ms(hits.corrected.percentile("p99").unwrap_or(0.0)),
                    &format!(
                        "from when due · raw service time {}",
                        ms(hits.time.percentile("p99").unwrap_or(0.0))
                    ),
                    false
                ))
                (card("Dropped", &count(hits.dropped), "due, never started: no free user", hits.dropped > 0))
            }
        }
    }
}

/// The share of hits that failed and of requests that did, each red only when its own count
/// is: a test whose assertions fail on good responses has failed hits and no request error,
/// and one that expects some error statuses the other way round.
fn error_rates(hits: &HitFigures, all: &RequestFigures) -> Markup {
    let failed = hits.errors + hits.failures;
    let requests = if all.count == 0 {
        "–".to_owned()
    } else {
        percent(all.error_rate)
    };
    let note = format!(
        "{} of {} hits · {} of {} requests",
        count(failed),
        count(hits.total),
        count(all.errors),
        count(all.count)
    );
    html! {
        div.figure.rates {
            div.label { "Error rate" }
            div class={ "rate hits" @if failed > 0 { " bad" } } {
                span.num { (percent(hits.error_rate)) } span.of { " of hits" }
            }
            div class={ "rate requests" @if all.errors > 0 { " bad" } } {
                span.num { (requests) } span.of { " of requests" }
            }
            div.note { (note) }
        }
    }
}

fn card(label: &str, value: &str, note: &str, bad: bool) -> Markup {
    html! {
        div class={ "figure " @if bad { "bad" } } {
            div.label { (label) }
            div.value { (value) }
            div.note { (note) }
        }
    }
}

/// Each threshold, met or not, with what was measured.
pub fn thresholds(verdicts: &[Verdict]) -> Markup {
    html! {
        @if !verdicts.is_empty() {
            section.card {
                h2 { "Thresholds" }
                table #thresholds .thresholds {
                    thead { tr { th {} th { "Threshold" } th { "Measured" } } }
                    tbody {
                        @for v in verdicts {
                            @let (class, mark, word) = if v.passed {
                                ("pass", "✓", "met")
                            } else {
                                ("fail", "✗", "broken")
                            };
                            tr class=(class) {
                                td.mark title=(word) { (mark) }
                                td { code { (v.threshold) } }
                                td { (v.measured) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One row per request name and the overall row: counts, rates, the total-time distribution,
/// time to first byte and bytes.
pub fn requests(figures: &Figures) -> Markup {
    html! {
        section.card {
            h2 { "Requests" }
            @if figures.requests.is_empty() {
                p.empty { "The test sent no HTTP request." }
            } @else {
                p.caption {
                    "Total time from " code { "send()" } " until the body was read (failed \
                     requests included); TTFB is the time until the response headers arrived."
                }
                (number_table(
                    "requests",
                    &[(5, ""), (8, "Total time (ms)"), (2, "TTFB (ms)"), (2, "Bytes")],
                    &[
                        "Request", "Count", "Errors", "Error %", "Req/s", "Mean", "Stddev",
                        "p50", "p90", "p95", "p99", "p99.9", "Max", "p50", "p95", "Sent",
                        "Received",
                    ],
                    html! {
                        @for r in &figures.requests {
                            (request_row(r, ""))
                        }
                    },
                    Some(request_row(&figures.overall, "overall")),
                ))
            }
        }
    }
}

fn request_row(r: &RequestFigures, class: &str) -> Markup {
    // Milliseconds without the unit, which the header gives: one unit down a column compares
    // at a glance, and the 17 columns fit the page.
    let timed = |d: &Distribution, value: f64| {
        if d.count == 0 {
            "–".to_owned()
        } else {
            figure(value)
        }
    };
    let p = |d: &Distribution, label: &str| timed(d, d.percentile(label).unwrap_or(0.0));
    let bad = (r.errors > 0).then_some("bad");
    let t = &r.time;
    let cells = [
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
    ];
    html! {
        tr class=(class) {
            td.name { (r.name) }
            td { (count(r.count)) }
            td class=[bad] { (count(r.errors)) }
            td class=[bad] { (percent(r.error_rate)) }
            td { (figure(r.rps)) }
            @for cell in &cells {
                td { (cell) }
            }
        }
    }
}

/// Status codes with their share, custom counters and WebSocket activity, side by side.
pub fn breakdowns(stats: &Stats) -> Markup {
    let responses: u64 = stats.status_codes.values().sum();
    let ws = &stats.websockets;
    let no_websocket = ws.opened == 0 && ws.messages_sent == 0 && ws.messages_received == 0;
    html! {
        section.trio {
            div.card {
                h2 { "Status codes" }
                @if responses == 0 {
                    p.empty { "No HTTP response." }
                } @else {
                    table #status-codes .bars {
                        tbody {
                            @for (code, n) in &stats.status_codes {
                                @let share = *n as f64 / responses as f64;
                                @let class = format!("c{}", code / 100);
                                tr {
                                    td { span class={ "code " (class) } { (code) } }
                                    td.num { (count(*n)) }
                                    td.bar {
                                        span style={ "width:" (format!("{:.1}", (share * 100.0).max(0.5))) "%" } class=(class) {}
                                    }
                                    td.num.share { (percent(share)) }
                                }
                            }
                        }
                    }
                }
            }
            div.card {
                h2 { "Counters" }
                @if stats.counters.is_empty() {
                    p.empty { "No custom counter (" code { "cx.incr(…)" } ")." }
                } @else {
                    table #counters .pairs {
                        tbody {
                            @for (name, n) in &stats.counters {
                                tr { td { (name) } td.num { (count(*n)) } }
                            }
                        }
                    }
                }
            }
            div.card {
                h2 { "WebSockets" }
                @if no_websocket {
                    p.empty { "No WebSocket opened." }
                } @else {
                    table #websockets .pairs {
                        tbody {
                            @for (label, value) in [
                                ("Opened", count(ws.opened)),
                                ("Messages sent", count(ws.messages_sent)),
                                ("Messages received", count(ws.messages_received)),
                                ("Bytes sent", bytes(ws.bytes_sent)),
                                ("Bytes received", bytes(ws.bytes_received)),
                            ] {
                                tr { td { (label) } td.num { (value) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Failures and errors grouped by message and location, most frequent first, messages as
/// written (line breaks kept). The newline after `<pre>` is there because HTML drops the first
/// one: a message that starts with a line break keeps it.
pub fn problems(stats: &Stats) -> Markup {
    let groups = stats.problems_by_count();
    html! {
        section.card {
            h2 { "Failures and errors" }
            @if groups.is_empty() {
                p.empty.good { "No hit failed." }
            } @else {
                table #problems .problems {
                    thead { tr { th { "Kind" } th { "Hits" } th { "Message and location" } } }
                    tbody {
                        @for g in &groups {
                            @let kind = match g.kind {
                                ProblemKind::Failure => "failure",
                                ProblemKind::Error => "error",
                            };
                            tr {
                                td { span class={ "kind " (kind) } { (kind) } }
                                td.num { (count(g.count)) }
                                td {
                                    pre { "\n" (g.message) }
                                    code.location { (g.location.as_deref().unwrap_or("unknown location")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
