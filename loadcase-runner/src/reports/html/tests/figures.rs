//! What the page's figures say is what the run measured: the last, partial second as the
//! fraction it was, the users of a run under a second, the hits' error rate beside the
//! requests', readouts that cover no data, and the server that was tested.

use std::time::Duration;

use loadcase::Plan;
use loadcase::Report;
use loadcase::report::Histogram;
use loadcase::report::REPORT_SCHEMA;
use loadcase::report::Second;
use scraper::Html;

use super::super::render;
use super::{select, text};

/// A run of `elapsed` seconds at 100 requests (and hits) a second with `users` users, each
/// second of the series holding what completed in it: the last only its fraction's share.
fn steady(elapsed: f64, users: u64) -> Report {
    let mut report = Report {
        schema: REPORT_SCHEMA,
        test: "steady::run".to_owned(),
        elapsed_secs: elapsed,
        plan: Some(Plan::once()),
        ..Report::default()
    };
    let mut t = 0u32;
    while f64::from(t) < elapsed {
        let covered = (elapsed - f64::from(t)).min(1.0);
        let n = (100.0 * covered).round() as u64;
        let mut latency = Histogram::default();
        let r = report.stats.request_entry("GET /");
        for _ in 0..n {
            latency.record(Duration::from_millis(10));
            r.time.record(Duration::from_millis(10));
        }
        r.count += n;
        report.stats.hits.success += n;
        report.series.push(Second {
            t,
            hits: n,
            requests: n,
            active_users: users,
            latency: (&latency).into(),
            ..Second::default()
        });
        t += 1;
    }
    report
}

/// The hover texts of the throughput plot's columns, first to last.
fn throughput_columns(doc: &Html) -> Vec<String> {
    select(doc, "svg#throughput-over-time .hover title")
        .iter()
        .map(text)
        .collect()
}

#[test]
fn the_last_partial_second_is_drawn_as_the_fraction_it_was() {
    let doc = Html::parse_document(&render(&steady(3.5, 20), &[]));
    let columns = throughput_columns(&doc);
    assert_eq!(columns.len(), 4, "{columns:?}");
    assert!(columns[2].starts_with("2s: 100 requests/s"), "{columns:?}");
    // 50 requests in the run's last half second are 100 a second, not 50: no fake ramp-down.
    assert_eq!(
        columns[3],
        "3s (the run's last 500 ms, rates over that time): 100 requests/s · 0.00 errors/s · 20 users"
    );
    let last = select(&doc, "svg#throughput-over-time .hover rect")
        .pop()
        .unwrap();
    let attr = |name: &str| -> f64 { last.value().attr(name).unwrap().parse().unwrap() };
    let (right, width) = (1120.0 - 24.0, 1120.0 - 76.0 - 24.0);
    assert!(
        (attr("x") + attr("width") - right).abs() < 0.2,
        "the last column ends where the axis does, at 3.5 s"
    );
    assert!(
        (attr("width") - width * 0.5 / 3.5).abs() < 0.2,
        "and is half a second wide"
    );
}

#[test]
fn a_last_fraction_too_short_for_a_rate_is_left_out_and_the_caption_says_so() {
    let doc = Html::parse_document(&render(&steady(3.05, 20), &[]));
    let columns = throughput_columns(&doc);
    assert_eq!(columns.len(), 3, "{columns:?}");
    for id in ["latency-over-time", "throughput-over-time"] {
        let caption = text(&select(&doc, &format!("section:has(svg#{id}) p.caption"))[0]);
        assert!(
            caption.contains("The run's last 50 ms, too short for a rate, is not drawn"),
            "{id}: {caption}"
        );
    }
    // The axis ends with the run, at 3.05 s, not at 4 s.
    let labels: Vec<String> = select(&doc, "svg#throughput-over-time .tick.x text")
        .iter()
        .map(text)
        .collect();
    assert_eq!(labels, ["0s", "1s", "2s", "3s"]);
    let caption = text(&select(&doc, "section:has(svg#throughput-over-time) p.caption")[0]);
    let whole = Html::parse_document(&render(&steady(3.5, 20), &[]));
    let whole = text(&select(&whole, "section:has(svg#throughput-over-time) p.caption")[0]);
    assert!(!whole.contains("not drawn") && caption != whole);
}

#[test]
fn a_run_under_a_second_shows_its_users() {
    let doc = Html::parse_document(&render(&steady(0.3, 3), &[]));
    let columns = throughput_columns(&doc);
    assert_eq!(
        columns,
        [
            "0s (the run's last 300 ms, rates over that time): 100 requests/s · 0.00 errors/s · 3 users"
        ]
    );
    let users = select(&doc, "svg#throughput-over-time path.data.users");
    let d = users[0].value().attr("d").unwrap();
    // One point, a dot, at 3 users: the top of the users' axis, not its bottom.
    let y: f64 = d
        .split(' ')
        .nth(1)
        .unwrap()
        .trim_end_matches("l0")
        .parse()
        .unwrap();
    assert!((y - 262.0).abs() < 0.2, "{d}");
    // And a disc there, which a person sees, where the dot alone is as wide as the line.
    let disc = select(&doc, "svg#throughput-over-time circle.dot.users");
    let cy: f64 = disc[0].value().attr("cy").unwrap().parse().unwrap();
    assert!((cy - 262.0).abs() < 0.2);
}

/// The error-rate card's two rates, `(value, red)` for the hits' and for the requests'.
fn error_rates(doc: &Html) -> [(String, bool); 2] {
    let rate = |class: &str| {
        let rates = select(doc, &format!(".figure.rates .rate.{class}"));
        let [rate] = rates.as_slice() else {
            panic!("one {class} rate: {}", rates.len());
        };
        let bad = rate.value().attr("class").unwrap().contains("bad");
        let num = rate
            .select(&scraper::Selector::parse(".num").unwrap())
            .next()
            .map(|n| text(&n))
            .unwrap();
        (num, bad)
    };
    [rate("hits"), rate("requests")]
}

#[test]
fn hit_and_request_error_rates_each_say_what_failed() {
    // Two hits of three failed on good responses: the requests are fine, the hits are not.
    let mut report = steady(1.0, 1);
    report.stats.hits.success = 34;
    report.stats.hits.failures = 66;
    let doc = Html::parse_document(&render(&report, &[]));
    assert_eq!(
        error_rates(&doc),
        [("66.0 %".to_owned(), true), ("0 %".to_owned(), false)]
    );
    let card = text(&select(&doc, ".figure.rates")[0]);
    assert!(
        card.contains("66 of 100 hits · 0 of 100 requests"),
        "{card}"
    );

    // Failed requests that the test expected: hits fine, requests not.
    let mut report = steady(1.0, 1);
    report.stats.requests.get_mut("GET /").unwrap().errors = 25;
    let doc = Html::parse_document(&render(&report, &[]));
    assert_eq!(
        error_rates(&doc),
        [("0 %".to_owned(), false), ("25.0 %".to_owned(), true)]
    );

    // No HTTP at all (a WebSocket test): no request rate to colour.
    let mut report = steady(1.0, 1);
    report.stats.requests.clear();
    let doc = Html::parse_document(&render(&report, &[]));
    assert_eq!(error_rates(&doc)[1], ("–".to_owned(), false));
}

#[test]
fn the_distributions_readout_is_above_the_panel_clear_of_every_mark() {
    // Every request about as long: the curve runs along the top, p50 in the upper left.
    let doc = Html::parse_document(&render(&steady(5.0, 2), &[]));
    let readout = select(&doc, "svg#latency-distribution text.readout");
    assert_eq!(readout.len(), 1);
    let y: f64 = readout[0].value().attr("y").unwrap().parse().unwrap();
    let all = text(&readout[0]);
    assert!(
        all.starts_with("All requests") && all.contains("p50 10.0 ms") && all.contains("max"),
        "{all}"
    );
    let marks = select(&doc, "svg#latency-distribution circle.mark");
    assert!(!marks.is_empty());
    for mark in &marks {
        let cy: f64 = mark.value().attr("cy").unwrap().parse().unwrap();
        // The mark's label is drawn 7 units above it, about 12 tall.
        assert!(cy - 7.0 - 12.0 > y, "mark at {cy}, readout at {y}");
    }
    assert!(select(&doc, "svg#latency-distribution .readout rect").is_empty());
}

#[test]
fn the_header_names_the_server_tested() {
    let mut report = steady(1.0, 1);
    let meta = |report: &Report| {
        let doc = Html::parse_document(&render(report, &[]));
        select(&doc, "header .meta div")
            .iter()
            .map(text)
            .find(|t| t.starts_with("Server"))
    };
    assert_eq!(
        meta(&report).as_deref(),
        Some("Servernone set: the test's own URLs")
    );
    report.plan.as_mut().unwrap().server_url = Some("http://127.0.0.1:8080/<b>".to_owned());
    assert_eq!(
        meta(&report).as_deref(),
        Some("Serverhttp://127.0.0.1:8080/<b>")
    );
    report.plan = None;
    assert_eq!(
        meta(&report),
        None,
        "a report without its plan says nothing"
    );
}
