//! The report is checked as a browser sees it: parsed by an HTML5 parser (html5ever, through
//! `scraper`), its SVGs parsed as XML, and — where Chromium is installed — rendered and looked
//! at.

mod chromium;
mod figures;
mod sample;

use std::time::Duration;

use loadcase::report::Histogram;
use loadcase::report::REPORT_SCHEMA;
use loadcase::report::Second;
use loadcase::report::Verdict;
use loadcase::{ProblemKind, Report};
use scraper::{ElementRef, Html, Selector};

use super::render;

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(css).expect("valid selector");
    doc.select(&selector).collect()
}

fn text(e: &ElementRef) -> String {
    e.text().collect()
}

/// The `d` of every data line and band in the plot `id`.
fn data_paths(doc: &Html, id: &str) -> Vec<String> {
    select(doc, &format!("svg#{id} path"))
        .iter()
        .filter(|p| {
            let class = p.value().attr("class").unwrap_or("");
            class.contains("data") || class.contains("band") || class.contains("area")
        })
        .map(|p| p.value().attr("d").unwrap_or("").to_owned())
        .collect()
}

/// Every `<svg …>…</svg>` of the raw output, as written (not as re-serialized by a parser).
fn svg_fragments(html: &str) -> Vec<&str> {
    let mut fragments = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("every svg is closed") + start + 6;
        fragments.push(&rest[start..end]);
        rest = &rest[end..];
    }
    fragments
}

const PLOTS: [&str; 3] = [
    "latency-over-time",
    "throughput-over-time",
    "latency-distribution",
];

#[test]
fn the_three_plots_draw_the_data() {
    let report = sample::report(120);
    let doc = Html::parse_document(&render(&report, &sample::verdicts()));
    for id in PLOTS {
        let paths = data_paths(&doc, id);
        assert!(
            paths.iter().filter(|d| d.matches('L').count() > 50).count() >= 2,
            "{id}: {paths:?}"
        );
    }
    // The percentile lines and band, one point per second.
    assert_eq!(data_paths(&doc, "latency-over-time").len(), 4);
    let p99 = select(&doc, "svg#latency-over-time path.p99");
    let d = p99[0].value().attr("d").unwrap();
    assert_eq!(d.matches(['M', 'L']).count(), 120, "{d}");
    // All requests plus one curve per request name.
    assert_eq!(
        select(&doc, "svg#latency-distribution path.data").len(),
        1 + sample::NAMES.len()
    );
    let errors_marked = select(&doc, "svg#throughput-over-time path.rug");
    assert_eq!(errors_marked.len(), 1, "the slowdown's errors are marked");
    for id in PLOTS {
        let svg = &select(&doc, &format!("svg#{id}"))[0];
        let labels: Vec<String> = select(&doc, &format!("svg#{id} .tick text"))
            .iter()
            .map(text)
            .collect();
        assert!(labels.len() >= 6, "{id} has axis ticks: {labels:?}");
        assert!(text(svg).contains("Request") || text(svg).contains("Active users"));
    }
}

#[test]
fn tables_have_a_row_per_request_and_per_threshold() {
    let report = sample::report(60);
    let doc = Html::parse_document(&render(&report, &sample::verdicts()));
    let rows = select(&doc, "table#requests tbody tr");
    assert_eq!(rows.len(), sample::NAMES.len());
    for (row, (name, stats)) in rows.iter().zip(&report.stats.requests) {
        let cells: Vec<String> = row
            .select(&Selector::parse("td").unwrap())
            .map(|c| text(&c))
            .collect();
        assert_eq!(cells.len(), 17);
        assert_eq!(&cells[0], name);
        assert_eq!(cells[1].replace('\u{2009}', ""), stats.count.to_string());
        assert_eq!(cells[2].replace('\u{2009}', ""), stats.errors.to_string());
    }
    let overall = text(&select(&doc, "table#requests tfoot tr")[0]);
    assert!(overall.starts_with("All requests"), "{overall}");
    let total = report.stats.request_count().to_string();
    assert!(overall.replace('\u{2009}', "").contains(&total));

    let marks: Vec<String> = select(&doc, "table#thresholds tbody tr td.mark")
        .iter()
        .map(text)
        .collect();
    assert_eq!(marks, ["✓", "✓", "✗"]);
    let broken = text(&select(&doc, "table#thresholds tbody tr.fail")[0]);
    assert!(broken.contains("POST /checkout: p99<250ms") && broken.contains("391.0 ms"));
    assert_eq!(text(&select(&doc, ".verdict .badge")[0]), "Failed");
    assert!(select(&doc, ".banner").is_empty(), "not interrupted");
    assert_eq!(select(&doc, "table#problems tbody tr").len(), 3);
    assert_eq!(select(&doc, "table#status-codes tbody tr").len(), 4);
    let header = text(&select(&doc, "header")[0]);
    assert!(header.contains("2026-09-21T14:13:20Z"), "{header}");
    assert!(
        header.contains("10 → 25 → 50 users · 20.0 s per stage"),
        "{header}"
    );
}

fn hostile() -> (Report, Vec<Verdict>) {
    let mut report = sample::report(5);
    report.test = "a<b>bold</b>::test".to_owned();
    let name = "<script>alert(1)</script>";
    let mut stats = report.stats.requests["GET /"].clone();
    stats.count = 7;
    report.stats.requests.insert(name.to_owned(), stats);
    report.stats.add_problem(
        ProblemKind::Error,
        "</pre><img src=x onerror=alert(1)> & \"quotes\"",
        Some("<img src=y>:1:1"),
        2,
    );
    report.stats.counters.insert("<img src=z>".to_owned(), 1);
    let verdicts = vec![Verdict {
        threshold: format!("{name}: p99<1s"),
        measured: "'<svg onload=alert(1)>'".to_owned(),
        passed: true,
    }];
    (report, verdicts)
}

#[test]
fn everything_from_the_run_is_escaped() {
    let (report, verdicts) = hostile();
    let html = render(&report, &verdicts);
    let doc = Html::parse_document(&html);
    assert!(
        select(&doc, "script").is_empty(),
        "the page has no script of its own"
    );
    assert!(select(&doc, "img").is_empty());
    assert!(select(&doc, "b").is_empty());
    // The only SVGs are the three plots.
    assert_eq!(select(&doc, "svg").len(), 3);
    let all: String = doc.root_element().text().collect();
    for verbatim in [
        "a<b>bold</b>::test",
        "<script>alert(1)</script>",
        "</pre><img src=x onerror=alert(1)> & \"quotes\"",
        "<img src=y>:1:1",
        "<img src=z>",
        "'<svg onload=alert(1)>'",
    ] {
        assert!(all.contains(verbatim), "{verbatim} is shown as text");
    }
    let title = text(&select(&doc, "title")[0]);
    assert!(title.starts_with("a<b>bold</b>::test"), "{title}");
    // The hostile name is a row of its own, and a curve of the distribution's legend.
    let names: Vec<String> = select(&doc, "table#requests tbody td.name")
        .iter()
        .map(text)
        .collect();
    assert!(names.contains(&"<script>alert(1)</script>".to_owned()));
}

#[test]
fn every_svg_is_well_formed_xml() {
    for (report, verdicts) in [
        (sample::report(90), sample::verdicts()),
        hostile(),
        (Report::default(), vec![]),
    ] {
        let html = render(&report, &verdicts);
        let fragments = svg_fragments(&html);
        assert_eq!(fragments.len(), 3);
        for svg in fragments {
            let doc = roxmltree::Document::parse(svg)
                .unwrap_or_else(|e| panic!("{e}: {}", &svg[..svg.len().min(300)]));
            assert_eq!(doc.root_element().tag_name().name(), "svg");
        }
    }
}

#[test]
fn nothing_is_loaded_from_anywhere() {
    let (report, verdicts) = hostile();
    let html = render(&report, &verdicts);
    let doc = Html::parse_document(&html);
    for element in select(&doc, "*") {
        for (name, value) in element.value().attrs() {
            let local = name.rsplit(':').next().unwrap_or(name);
            assert!(
                !matches!(local, "src" | "href" | "srcset" | "action" | "data"),
                "<{} {name}=\"{value}\">",
                element.value().name()
            );
        }
    }
    assert!(select(&doc, "link, script, iframe, object, embed, img").is_empty());
    let css: String = select(&doc, "style").iter().map(text).collect();
    assert!(!css.contains("url(") && !css.contains("@import") && !css.contains("@font-face"));
    // The only URL in the file is the SVG namespace, which is a name and never fetched.
    let urls = html.matches("http://").count() + html.matches("https://").count();
    assert_eq!(
        urls,
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count() + 1,
        "the sample's error message holds one URL, as text"
    );
}

#[test]
fn an_empty_report_renders() {
    let html = render(&Report::default(), &[]);
    let doc = Html::parse_document(&html);
    for id in PLOTS {
        assert_eq!(select(&doc, &format!("svg#{id}")).len(), 1);
        assert!(data_paths(&doc, id).is_empty());
        assert_eq!(select(&doc, &format!("svg#{id} .no-data")).len(), 1);
    }
    assert_eq!(text(&select(&doc, ".verdict .badge")[0]), "No hits");
    assert!(select(&doc, "table#thresholds").is_empty());
    assert!(!html.contains("NaN") && !html.contains("inf"));
}

#[test]
fn a_single_second_is_drawn_as_dots() {
    let mut report = Report {
        schema: REPORT_SCHEMA,
        test: "one::second".to_owned(),
        elapsed_secs: 0.6,
        ..Report::default()
    };
    let mut latency = Histogram::default();
    latency.record(Duration::from_millis(12));
    report.series.push(Second {
        t: 0,
        hits: 1,
        requests: 1,
        active_users: 1,
        latency: (&latency).into(),
        ..Second::default()
    });
    let r = report.stats.request_entry("GET /");
    r.count = 1;
    r.time = latency;
    report.stats.hits.success = 1;
    let html = render(&report, &[]);
    let doc = Html::parse_document(&html);
    let p50 = select(&doc, "svg#latency-over-time path.p50");
    assert!(p50[0].value().attr("d").unwrap().ends_with("l0 0"));
    assert!(!data_paths(&doc, "throughput-over-time").is_empty());
    assert!(!data_paths(&doc, "latency-distribution").is_empty());
    assert!(!html.contains("NaN") && !html.contains("inf"));
    assert_eq!(text(&select(&doc, ".verdict .badge")[0]), "Passed");
    assert!(select(&doc, ".banner").is_empty());

    report.interrupted = true;
    let doc = Html::parse_document(&render(&report, &[]));
    let banner = text(&select(&doc, ".banner")[0]);
    assert!(banner.starts_with("Interrupted."), "{banner}");
}

#[test]
fn an_hour_long_run_stays_small() {
    let report = sample::report(3600);
    let html = render(&report, &sample::verdicts());
    assert!(html.len() < 2_000_000, "{} bytes", html.len());
    println!("an hour of report: {} bytes", html.len());
    if let Some(keep) = std::env::var_os("LOADCASE_HTML_SAMPLE") {
        std::fs::write(std::path::Path::new(&keep).join("hour-report.html"), &html).unwrap();
    }
    let doc = Html::parse_document(&html);
    let p95 = select(&doc, "svg#latency-over-time path.p95");
    let points = p95[0]
        .value()
        .attr("d")
        .unwrap()
        .matches(['M', 'L'])
        .count();
    assert_eq!(points, super::buckets::MAX_POINTS);
    let labels: Vec<String> = select(&doc, "svg#latency-over-time .tick.x text")
        .iter()
        .map(text)
        .collect();
    assert!(labels.contains(&"30:00".to_owned()), "{labels:?}");
}

#[test]
fn the_open_model_shows_corrected_time_dropped_hits_and_its_plan() {
    let mut report = sample::report(60);
    let mut plan = loadcase::Plan::parse_args(&loadcase::__private::runner::PlanArgs {
        rate: Some("100/s"),
        duration: Some("1m"),
        ..Default::default()
    })
    .unwrap();
    plan.server_url = None;
    report.plan = Some(plan);
    for ms in [2, 3, 950] {
        report
            .stats
            .hits
            .corrected
            .record(Duration::from_millis(ms));
    }
    report.stats.hits.dropped = 7;
    let doc = Html::parse_document(&render(&report, &[]));
    let cards: Vec<String> = select(&doc, ".figure").iter().map(text).collect();
    let corrected = cards.iter().find(|c| c.contains("Hit p99, corrected"));
    assert!(corrected.is_some_and(|c| c.contains("950")), "{cards:?}");
    assert!(cards.iter().any(|c| c.starts_with("Dropped7")), "{cards:?}");
    assert!(
        text(&select(&doc, "header")[0]).contains("--rate 100/s -d 1m"),
        "the plan reads as its options"
    );

    let closed = Html::parse_document(&render(&sample::report(60), &[]));
    let cards: Vec<String> = select(&closed, ".figure").iter().map(text).collect();
    assert!(!cards.iter().any(|c| c.contains("Dropped")), "{cards:?}");
}
