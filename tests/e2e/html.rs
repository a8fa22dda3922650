//! The HTML report of a real run: the server it names and the last, partial second, read from
//! the page the runner wrote and checked against the run's JSON report and the server's counts.

use std::path::PathBuf;

use loadcase::Report;
use loadcase_e2e::{DemoServer, run};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loadcase-e2e-{}-html", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The throughput plot's hover texts and x-axis labels, from its SVG (well-formed XML).
fn throughput(html: &str) -> (Vec<String>, Vec<String>) {
    let start = html
        .find("<svg id=\"throughput-over-time\"")
        .expect("the throughput plot");
    let end = start + html[start..].find("</svg>").unwrap() + "</svg>".len();
    let svg = roxmltree::Document::parse(&html[start..end]).expect("well-formed SVG");
    let texts = |parent_class: &str, tag: &str| -> Vec<String> {
        svg.descendants()
            .filter(|n| n.has_tag_name(tag))
            .filter(|n| {
                n.ancestors()
                    .any(|a| a.attribute("class") == Some(parent_class))
            })
            .map(|n| n.text().unwrap_or("").to_owned())
            .collect()
    };
    (texts("hover", "title"), texts("tick x", "text"))
}

/// The rate a hover text gives: `… 96.0 requests/s …`.
fn requests_per_sec(column: &str) -> f64 {
    let (before, _) = column.split_once(" requests/s").expect("a rate");
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn the_page_names_the_server_and_draws_the_last_second_as_the_fraction_it_was() {
    let server = DemoServer::start_local();
    let (html, json) = (temp("run.html"), temp("run.json"));
    // 50 ms hits for 2.5 s: the last second is half of one, at the rate of the others.
    let run = run(&[
        "fixture::slow",
        "-u",
        "5",
        "-d",
        "2500ms",
        "--server-url",
        &server.url(""),
        "--report",
        html.to_str().unwrap(),
        "--report",
        json.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let page = std::fs::read_to_string(&html).unwrap();
    let report: Report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report.stats.request_count(), server.counts().requests);

    let url = report.plan.as_ref().and_then(|p| p.server_url.clone());
    let url = url.expect("the plan names the server");
    assert!(url.starts_with(&server.url("")), "{url}");
    let header = &page[page.find("<header").unwrap()..page.find("</header>").unwrap()];
    assert!(
        header.contains(&format!("<dt>Server</dt><dd class=\"server\">{url}</dd>")),
        "{header}"
    );

    let (columns, labels) = throughput(&page);
    assert_eq!(report.series.len(), 3, "{:?}", report.series);
    assert_eq!(columns.len(), 3, "{columns:?}");
    assert_eq!(
        labels,
        ["0s", "1s", "2s"],
        "the axis ends with the run, before 3 s"
    );
    let fraction = report.elapsed_secs - 2.0;
    assert!((0.5..0.9).contains(&fraction), "{}", report.elapsed_secs);
    let last = &columns[2];
    assert!(
        last.starts_with(&format!(
            "2s (the run's last {:.0} ms, rates over that time)",
            fraction * 1e3
        )),
        "{last}"
    );
    // The page's rate of the last second is its requests over the time the run had of it.
    let in_last = report.series[2].requests as f64;
    let drawn = requests_per_sec(last);
    let expected = in_last / fraction;
    assert!(
        (drawn - expected).abs() <= expected * 0.01 + 0.5,
        "{drawn} for {in_last} requests in {fraction} s"
    );
    // Five users, 50 ms hits: the last half second runs at the rate of the second before, where
    // drawing it as a whole second would have halved it.
    let before = requests_per_sec(&columns[1]);
    assert!(
        drawn > before * 0.7,
        "{drawn} against {before}: {columns:?}"
    );
}
