//! The report's three plots, each a card with an inline SVG: request time over time with
//! percentile bands, throughput and active users over time, and the request time distribution.

use std::fmt::Write;

use loadcase::Report;
use loadcase::report::Histogram;
use maud::{Markup, PreEscaped, html};

use super::buckets::{Bucket, Drawn, drawn};
use super::svg::{Key, Panel, Tick, clock, hover, legend, number, ticks, time_ticks};
use crate::text::format::{duration, escape_xml as escape, figure, ms};

/// Width of every plot's viewBox: the page's content width, so one unit is about one pixel.
const WIDTH: f64 = 1120.0;
const LEFT: f64 = 76.0;
const RIGHT: f64 = 24.0;

/// Request names the distribution draws besides all requests together; more lines than this
/// are a tangle, and the table has every name.
const MAX_NAMED_CURVES: usize = 6;

/// A time axis' unit: seconds once times reach seconds, so labels stay short.
struct Unit {
    divisor: f64,
    name: &'static str,
}

impl Unit {
    fn for_max(max_ms: f64) -> Unit {
        if max_ms >= 2000.0 {
            Unit {
                divisor: 1000.0,
                name: "s",
            }
        } else {
            Unit {
                divisor: 1.0,
                name: "ms",
            }
        }
    }
}

/// A plot's card: its title and caption, which the page's markup escapes, and its drawing,
/// SVG written here with every text in it escaped as it is written.
struct Plot {
    id: &'static str,
    title: &'static str,
    caption: String,
    height: f64,
    svg: String,
}

impl Plot {
    fn new(id: &'static str, title: &'static str, caption: String, height: f64) -> Plot {
        Plot {
            id,
            title,
            caption,
            height,
            svg: String::new(),
        }
    }

    /// The card, with `after` below the drawing.
    fn card(self, after: Markup) -> Markup {
        let svg = format!(
            "<svg id=\"{}\" class=\"plot\" viewBox=\"0 0 {WIDTH} {}\" role=\"img\" \
             aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">{}</svg>",
            escape(self.id),
            self.height,
            escape(self.title),
            self.svg
        );
        html! {
            section.card.plot-card {
                h2 { (self.title) }
                p.caption { (self.caption) }
                (PreEscaped(svg))
                (after)
            }
        }
    }
}

fn no_data(out: &mut String, panel: &Panel, text: &str) {
    let _ = write!(
        out,
        "<text class=\"no-data\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
        panel.left + panel.width / 2.0,
        panel.top + panel.height / 2.0,
        escape(text)
    );
}

/// The time axis' extent: the whole run, even where the series has no points.
fn run_end(report: &Report, points: &[Bucket]) -> f64 {
    let series_end = points.last().map_or(0.0, |b| b.start + b.secs);
    report.elapsed_secs.max(series_end).max(1.0)
}

/// Request time over time: the p50–p99 band shaded, p50, p95 and p99 as lines.
pub fn latency_over_time(report: &Report) -> Markup {
    let Drawn { points, left_out } = drawn(&report.series, report.elapsed_secs);
    let end = run_end(report, &points);
    let max = points
        .iter()
        .filter_map(|b| b.latency.map(|l| l[2]))
        .fold(0.0, f64::max);
    let unit = Unit::for_max(max);
    let (y_ticks, top) = ticks(max / unit.divisor, 5);
    let panel = Panel {
        left: LEFT,
        top: 40.0,
        width: WIDTH - LEFT - RIGHT,
        height: 250.0,
        x: (0.0, end),
        y: (0.0, top),
    };
    let per = bucket_note(&points);
    let mut plot = Plot::new(
        "latency-over-time",
        "Request time over time",
        format!(
            "Total time of the requests completed in each {per}: the median, p95 and p99, \
             with the band from median to p99 shaded. Gaps are {per}s without requests.{}",
            not_drawn(left_out.as_ref())
        ),
        340.0,
    );
    let out = &mut plot.svg;
    let labelled =
        |ticks: &[f64]| -> Vec<Tick> { ticks.iter().map(|v| (*v, number(*v))).collect() };
    panel.grid(
        out,
        &time_ticks(end, 10),
        &labelled(&y_ticks),
        &format!("Request time ({})", unit.name),
        true,
    );
    panel.x_title(out, "Time since start");
    if points.iter().all(|b| b.latency.is_none()) {
        // A report without a series (written before it had one) can still have requests.
        let why = if points.is_empty() {
            "No per-second data in this report"
        } else {
            "No request completed during the run"
        };
        no_data(out, &panel, why);
        return plot.card(html! {});
    }
    let at = |i: usize| move |b: &Bucket| (b.mid(), b.latency.map(|l| l[i] / unit.divisor));
    let band: Vec<(f64, Option<(f64, f64)>)> = points
        .iter()
        .map(|b| {
            let range = b
                .latency
                .map(|l| (l[0] / unit.divisor, l[2] / unit.divisor));
            (b.mid(), range)
        })
        .collect();
    panel.band(out, "band", &band);
    for (i, class) in [(0, "p50"), (1, "p95"), (2, "p99")] {
        let line: Vec<_> = points.iter().map(at(i)).collect();
        panel.line(out, &format!("data {class}"), &line);
        panel.dots(out, &format!("data {class}"), &line);
    }
    let columns: Vec<_> = points
        .iter()
        .map(|b| {
            let values = match b.latency {
                Some([p50, p95, p99]) => {
                    format!("p50 {} · p95 {} · p99 {}", ms(p50), ms(p95), ms(p99))
                }
                None => "no request completed".to_owned(),
            };
            column(&panel, b, end, values)
        })
        .collect();
    hover(out, panel.top, panel.bottom(), &columns);
    legend(
        out,
        panel.right(),
        18.0,
        &[
            ("band", "p50–p99", Key::Swatch),
            ("p50", "p50 (median)", Key::Line),
            ("p95", "p95", Key::Line),
            ("p99", "p99", Key::Line),
        ],
    );
    plot.card(html! {})
}

/// A hover column over bucket `b`: where it is, and `values` after its time.
fn column(panel: &Panel, b: &Bucket, end: f64, values: String) -> (f64, f64, String) {
    let when = if b.secs > 1.0 {
        format!("{}–{}", clock(b.start, end), clock(b.start + b.secs, end))
    } else if b.secs < 1.0 {
        format!(
            "{} (the run's last {}, rates over that time)",
            clock(b.start, end),
            duration(b.secs)
        )
    } else {
        clock(b.start, end)
    };
    (
        panel.px(b.start),
        panel.px(b.start + b.secs),
        format!("{when}: {values}"),
    )
}

/// The caption's word on a last bucket too short to draw.
fn not_drawn(left_out: Option<&Bucket>) -> String {
    left_out.map_or_else(String::new, |b| {
        format!(
            " The run's last {}, too short for a rate, is not drawn; the tables count what \
             completed in it.",
            duration(b.secs)
        )
    })
}

/// What one point of a time plot covers, for captions: `second`, or `5-second bucket`.
fn bucket_note(points: &[Bucket]) -> String {
    match points.first().map(|b| b.secs) {
        Some(secs) if secs > 1.0 => format!("{secs:.0}-second bucket"),
        _ => "second".to_owned(),
    }
}

/// Throughput and load: requests per second (errors per second in red, and a mark under the
/// panel wherever errors happened) above the active users.
pub fn throughput_over_time(report: &Report) -> Markup {
    let Drawn { points, left_out } = drawn(&report.series, report.elapsed_secs);
    let end = run_end(report, &points);
    let rps_max = points.iter().map(|b| b.rps).fold(0.0, f64::max);
    let users_max = points.iter().map(|b| b.users).max().unwrap_or(0) as f64;
    let (rps_ticks, rps_top) = ticks(rps_max, 4);
    let (user_ticks, users_top) = ticks(users_max, 3);
    let width = WIDTH - LEFT - RIGHT;
    let rps = Panel {
        left: LEFT,
        top: 40.0,
        width,
        height: 180.0,
        x: (0.0, end),
        y: (0.0, rps_top),
    };
    let users = Panel {
        left: LEFT,
        top: 262.0,
        width,
        height: 120.0,
        x: (0.0, end),
        y: (0.0, users_top),
    };
    let per = bucket_note(&points);
    let mut plot = Plot::new(
        "throughput-over-time",
        "Throughput and active users",
        format!(
            "Requests completed per second (averaged over each {per}; the run's last, partial \
             {per} over the time it had), those that counted as errors in red with a red mark \
             under the axis wherever any occurred, and the most users active at once.{}",
            not_drawn(left_out.as_ref())
        ),
        432.0,
    );
    let out = &mut plot.svg;
    let x_ticks = time_ticks(end, 10);
    let labelled =
        |ticks: &[f64]| -> Vec<Tick> { ticks.iter().map(|v| (*v, number(*v))).collect() };
    rps.grid(out, &x_ticks, &labelled(&rps_ticks), "Requests / s", false);
    users.grid(out, &x_ticks, &labelled(&user_ticks), "Active users", true);
    users.x_title(out, "Time since start");
    if points.is_empty() {
        no_data(out, &rps, "No per-second data in this report");
        return plot.card(html! {});
    }
    let area = |f: fn(&Bucket) -> f64| -> Vec<(f64, Option<(f64, f64)>)> {
        points
            .iter()
            .map(|b| (b.mid(), Some((0.0, f(b)))))
            .collect()
    };
    let line = |f: fn(&Bucket) -> f64| -> Vec<(f64, Option<f64>)> {
        points.iter().map(|b| (b.mid(), Some(f(b)))).collect()
    };
    rps.band(out, "rps-area", &area(|b| b.rps));
    rps.line(out, "data rps", &line(|b| b.rps));
    rps.dots(out, "data rps", &line(|b| b.rps));
    if points.iter().any(|b| b.errors_per_sec > 0.0) {
        rps.band(out, "err-area", &area(|b| b.errors_per_sec));
        rps.line(out, "data err", &line(|b| b.errors_per_sec));
        rps.dots(out, "data err", &line(|b| b.errors_per_sec));
    }
    error_rug(out, &rps, &points);
    users.band(out, "users-area", &area(|b| b.users as f64));
    users.line(out, "data users", &line(|b| b.users as f64));
    users.dots(out, "data users", &line(|b| b.users as f64));
    let columns: Vec<_> = points
        .iter()
        .map(|b| {
            let values = format!(
                "{} requests/s · {} errors/s · {} users",
                figure(b.rps),
                figure(b.errors_per_sec),
                b.users
            );
            column(&rps, b, end, values)
        })
        .collect();
    hover(out, rps.top, users.bottom(), &columns);
    legend(
        out,
        rps.right(),
        18.0,
        &[
            ("rps", "requests / s", Key::Line),
            ("err", "errors / s", Key::Line),
            ("users", "active users", Key::Line),
        ],
    );
    plot.card(html! {})
}

/// A red tick under the request panel for every bucket with an error or a failed hit, so that
/// a handful of errors is visible even where it is a hair on the requests' scale.
fn error_rug(out: &mut String, panel: &Panel, points: &[Bucket]) {
    let y = panel.bottom() + 6.0;
    let mut d = String::new();
    for b in points
        .iter()
        .filter(|b| b.errors_per_sec > 0.0 || b.hit_problems_per_sec > 0.0)
    {
        let (x0, x1) = (panel.px(b.start), panel.px(b.start + b.secs));
        let _ = write!(d, "M{:.1} {y:.1}h{:.1}", x0, (x1 - x0).max(1.5));
    }
    if !d.is_empty() {
        let _ = write!(out, "<path class=\"rug\" d=\"{d}\"/>");
    }
}

/// The distribution: request time at each percentile, the x axis stretched towards 100 % on a
/// log scale of `1 / (1 - q)` so the tail gets as much room as the body, as in HdrHistogram's
/// percentile plots.
pub fn latency_distribution(report: &Report) -> Markup {
    let all = report.stats.all_request_times();
    let mut named: Vec<(&String, &Histogram)> = report
        .stats
        .requests
        .iter()
        .filter(|(_, r)| !r.time.is_empty())
        .map(|(name, r)| (name, &r.time))
        .collect();
    named.sort_by_key(|(_, h)| std::cmp::Reverse(h.len()));
    let shown = if named.len() > 1 {
        &named[..named.len().min(MAX_NAMED_CURVES)]
    } else {
        &[][..]
    };
    let max_ms = all.max().as_secs_f64() * 1e3;
    let unit = Unit::for_max(max_ms);
    let (y_ticks, top) = ticks(max_ms / unit.divisor, 5);
    // Nines beyond what the run counted would be the maximum drawn flat.
    let nines = (all.len().max(1) as f64).log10().clamp(1.0, 6.0);
    let panel = Panel {
        left: LEFT,
        top: 40.0,
        width: WIDTH - LEFT - RIGHT,
        height: 250.0,
        x: (0.0, nines),
        y: (0.0, top),
    };
    let mut plot = Plot::new(
        "latency-distribution",
        "Request time distribution",
        "Request time at each percentile, all requests together (black) and the busiest \
         request names. The axis stretches towards 100 %: each step right is one more nine, so \
         the tail is as visible as the median."
            .to_owned(),
        350.0,
    );
    let out = &mut plot.svg;
    let x_ticks: Vec<Tick> = (0..=nines as usize)
        .map(|n| (n as f64, nines_label(n)))
        .collect();
    let labelled: Vec<Tick> = y_ticks.iter().map(|v| (*v, number(*v))).collect();
    panel.grid(
        out,
        &x_ticks,
        &labelled,
        &format!("Request time ({})", unit.name),
        true,
    );
    panel.x_title(out, "Percentile");
    if all.is_empty() {
        no_data(out, &panel, "No request was timed");
        return plot.card(html! {});
    }
    for (i, (_, h)) in shown.iter().enumerate() {
        panel.line(out, &format!("data s{i}"), &curve(h, nines, unit.divisor));
    }
    panel.line(out, "data all", &curve(&all, nines, unit.divisor));
    readout(out, &panel, &all, unit.divisor);
    plot.card(html! {
        @if !shown.is_empty() {
            ul.legend-list {
                li { span.key.all {} "All requests" }
                @for (i, (name, _)) in shown.iter().enumerate() {
                    li { span class={ "key s" (i) } {} (name) }
                }
            }
        }
    })
}

/// Dots on the all-requests curve at p50, p90, p99 and p99.9 (where the axis reaches), and
/// their values with the maximum in a row above the panel, where the other plots have their
/// legends: inside it, a box would cover whatever part of the curve runs under it — the p50
/// mark of a run whose requests all took about as long.
fn readout(out: &mut String, panel: &Panel, all: &Histogram, divisor: f64) {
    let mut rows = Vec::new();
    for (q, label) in [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99.9")] {
        let x = -(1.0f64 - q).log10();
        if x > panel.x.1 + 1e-9 {
            continue;
        }
        let v = all.quantile(q).as_secs_f64() * 1e3;
        let (px, py) = (panel.px(x), panel.py(v / divisor));
        let _ = write!(
            out,
            "<circle class=\"mark\" cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"4\"/>\
             <text class=\"mark-label\" x=\"{:.1}\" y=\"{:.1}\">{label}</text>",
            px - 5.0,
            py - 7.0,
        );
        rows.push((label, v));
    }
    rows.push(("max", all.max().as_secs_f64() * 1e3));
    let _ = write!(
        out,
        "<text class=\"readout\" x=\"{:.1}\" y=\"{:.1}\"><tspan class=\"head\">All requests</tspan>",
        panel.right(),
        panel.top - 18.0
    );
    for (label, v) in &rows {
        let _ = write!(
            out,
            "<tspan dx=\"14\">{label} </tspan><tspan class=\"value\">{}</tspan>",
            escape(&ms(*v))
        );
    }
    out.push_str("</text>");
}

/// `0%`, `90%`, `99%`, `99.9%`…: the percentile `n` nines reach.
fn nines_label(n: usize) -> String {
    match n {
        0 => "0%".to_owned(),
        1 => "90%".to_owned(),
        n => format!("99.{}%", "9".repeat(n - 2)).replace(".%", "%"),
    }
}

/// The percentile curve of `h` sampled evenly along the nines axis, ending at the maximum.
fn curve(h: &Histogram, nines: f64, divisor: f64) -> Vec<(f64, Option<f64>)> {
    const SAMPLES: usize = 240;
    (0..=SAMPLES)
        .map(|i| {
            let x = nines * i as f64 / SAMPLES as f64;
            let q = if i == SAMPLES {
                1.0
            } else {
                1.0 - 10f64.powf(-x)
            };
            (x, Some(h.quantile(q).as_secs_f64() * 1e3 / divisor))
        })
        .collect()
}
