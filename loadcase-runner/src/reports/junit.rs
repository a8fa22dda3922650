//! The JUnit XML report: one test case per load test, failing when hits failed or thresholds
//! broke, so a CI's test view shows the load test beside the unit tests.

use std::fmt::Write;

use loadcase::Report;
use loadcase::report::Figures;
use loadcase::report::Verdict;

use crate::text::format::{escape_xml as escape, utc_time};
use crate::text::summary::blocking::blocked;
use crate::text::summary::stages::loads;

pub fn render(report: &Report, verdicts: &[Verdict], summary: &str) -> String {
    let figures = Figures::of(report);
    let hits = &figures.hits;
    let (class, name) = report
        .test
        .split_once("::")
        .unwrap_or(("loadcase", &report.test));
    let mut problems = Vec::new();
    // What cut the run short comes first: the failure's message names it (a crash and its
    // signal, a dataset out of rows).
    if let Some(reason) = &report.stop_reason {
        problems.push(format!("stopped early: {reason}"));
    }
    if hits.errors + hits.failures + hits.cancelled > 0 || hits.total == 0 {
        problems.push(format!(
            "{} of {} hits did not succeed ({} errors, {} failures, {} cancelled)",
            hits.errors + hits.failures + hits.cancelled,
            hits.total + hits.cancelled,
            hits.errors,
            hits.failures,
            hits.cancelled
        ));
    }
    for group in report.stats.problems_by_count() {
        let at = group.location.as_deref().unwrap_or("?");
        problems.push(format!(
            "  {}× {} at {at}: {}",
            group.count, group.kind, group.message
        ));
    }
    let broken: Vec<&Verdict> = verdicts.iter().filter(|v| !v.passed).collect();
    for v in &broken {
        problems.push(format!(
            "threshold {} broken: measured {}",
            v.threshold, v.measured
        ));
    }
    if report.interrupted && report.stop_reason.is_none() {
        problems.push("interrupted: the plan did not complete".to_owned());
    }
    let failed = !problems.is_empty();
    let started = utc_time(report.started_unix_ms, "").unwrap_or_default();
    let time = format!("{:.3}", report.elapsed_secs);
    let failures = u32::from(failed);
    let mut x = String::new();
    let _ = writeln!(x, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        x,
        r#"<testsuites name="cargo loadrun" tests="1" failures="{failures}" errors="0" time="{time}">"#
    );
    let _ = writeln!(
        x,
        r#"  <testsuite name="{}" tests="1" failures="{failures}" errors="0" skipped="0" time="{time}" timestamp="{started}">"#,
        escape(&report.test)
    );
    let _ = writeln!(x, "    <properties>");
    let mut property = |name: &str, value: String| {
        let _ = writeln!(
            x,
            r#"      <property name="{}" value="{}"/>"#,
            escape(name),
            escape(&value)
        );
    };
    property("hits", hits.total.to_string());
    property("hits.success", hits.success.to_string());
    property("requests", figures.overall.count.to_string());
    property("requests.errors", figures.overall.errors.to_string());
    property("rps", format!("{:.1}", figures.overall.rps));
    for (label, v) in &figures.overall.time.percentiles {
        property(&format!("time.{label}.ms"), format!("{v:.3}"));
    }
    for (name, value) in more_properties(report) {
        property(&name, value);
    }
    for v in verdicts {
        let mark = if v.passed { "passed" } else { "broken" };
        property(
            &format!("threshold {}", v.threshold),
            format!("{mark}: {}", v.measured),
        );
    }
    let _ = writeln!(x, "    </properties>");
    let _ = writeln!(
        x,
        r#"    <testcase name="{}" classname="{}" time="{time}">"#,
        escape(name),
        escape(class)
    );
    if failed {
        let message = if broken.is_empty() {
            problems[0].clone()
        } else if hits.errors + hits.failures + hits.cancelled == 0
            && !report.interrupted
            && report.stop_reason.is_none()
        {
            format!("{} threshold(s) broken", broken.len())
        } else {
            format!("{}; {} threshold(s) broken", problems[0], broken.len())
        };
        let _ = writeln!(
            x,
            r#"      <failure message="{}" type="loadcase">{}</failure>"#,
            escape(&message),
            escape(&problems.join("\n"))
        );
    }
    let _ = writeln!(x, "      <system-out>{}</system-out>", escape(summary));
    let _ = writeln!(x, "    </testcase>");
    let _ = writeln!(x, "  </testsuite>");
    let _ = writeln!(x, "</testsuites>");
    x
}

/// What the summary says beyond the request figures, for a CI to chart: WebSocket traffic,
/// each stage of a staged plan, tests whose hits blocked their thread, and the request log.
fn more_properties(report: &Report) -> Vec<(String, String)> {
    let mut properties = Vec::new();
    let mut add = |name: String, value: String| properties.push((name, value));
    let ws = &report.stats.websockets;
    if ws.opened + ws.messages_sent + ws.messages_received > 0 {
        for (name, n) in [
            ("opened", ws.opened),
            ("messages_sent", ws.messages_sent),
            ("messages_received", ws.messages_received),
            ("bytes_sent", ws.bytes_sent),
            ("bytes_received", ws.bytes_received),
        ] {
            add(format!("websocket.{name}"), n.to_string());
        }
    }
    let shape = report.plan.as_ref().map(|p| &p.shape);
    let loads = loads(shape, report.stages.len());
    for (i, (stage, load)) in report.stages.iter().zip(loads).enumerate() {
        let at = |name: &str| format!("stage.{}.{name}", i + 1);
        let stats = &stage.stats;
        let hits = stats.hits.total();
        add(at("load"), load);
        add(at("secs"), format!("{:.3}", stage.elapsed_secs));
        add(at("hits"), hits.to_string());
        add(at("errors"), stats.hits.errors.to_string());
        add(at("failures"), stats.hits.failures.to_string());
        add(at("requests"), stats.request_count().to_string());
        let rate = if stage.elapsed_secs > 0.0 {
            hits as f64 / stage.elapsed_secs
        } else {
            0.0
        };
        add(at("hits_per_sec"), format!("{rate:.1}"));
        let times = stats.all_request_times();
        if !times.is_empty() {
            for (label, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
                let ms = times.quantile(q).as_secs_f64() * 1e3;
                add(at(&format!("time.{label}.ms")), format!("{ms:.3}"));
            }
        }
    }
    for (test, stalls) in blocked(report) {
        add(format!("blocked.{test}.times"), stalls.count.to_string());
        add(
            format!("blocked.{test}.longest_secs"),
            format!("{:.3}", stalls.longest_secs),
        );
    }
    if let Some(entries) = report.logged_requests {
        add("request_log.entries".to_owned(), entries.to_string());
        if let Some(log) = report.plan.as_ref().and_then(|p| p.log.as_ref()) {
            add(
                "request_log.path".to_owned(),
                log.path.display().to_string(),
            );
        }
    }
    properties
}

#[cfg(test)]
mod tests {
    use loadcase::ProblemKind;

    use super::*;

    fn parse(xml: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
    }

    #[test]
    fn a_clean_run_is_a_passing_case() {
        let mut report = Report {
            test: "example::test_es".into(),
            ..Report::default()
        };
        report.stats.hits.success = 10;
        let xml = render(&report, &[], "Hits: 10\n");
        let doc = parse(&xml);
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        assert_eq!(case.attribute("name"), Some("test_es"));
        assert_eq!(case.attribute("classname"), Some("example"));
        assert!(!case.children().any(|n| n.has_tag_name("failure")));
        let suites = doc.root_element();
        assert_eq!(suites.attribute("failures"), Some("0"));
    }

    #[test]
    fn websockets_stages_blocked_threads_and_the_request_log_are_properties() {
        let mut report = Report {
            test: "fixture::get".into(),
            ..Report::default()
        };
        let mut plan = loadcase::Plan::parse(Some("2:4"), Some("3"), None).unwrap();
        plan.log = Some(loadcase::plan::LogSpec {
            path: "/tmp/requests.jsonl".into(),
            redact_headers: Vec::new(),
        });
        report.plan = Some(plan);
        report.logged_requests = Some(18);
        report.stats.websockets.messages_sent = 4;
        report.stats.stalls.count = 2;
        report.stats.stalls.longest_secs = 0.75;
        for (hits, secs) in [(6, 0.5), (12, 2.0)] {
            let mut stage = loadcase::report::StageStats {
                elapsed_secs: secs,
                ..Default::default()
            };
            stage.stats.hits.success = hits;
            report.stages.push(stage);
        }
        let xml = render(&report, &[], "");
        let doc = parse(&xml);
        let property = |name: &str| {
            doc.descendants()
                .find(|n| n.has_tag_name("property") && n.attribute("name") == Some(name))
                .and_then(|n| n.attribute("value"))
                .map(str::to_owned)
        };
        assert_eq!(property("websocket.messages_sent").as_deref(), Some("4"));
        assert_eq!(property("stage.1.load").as_deref(), Some("2"));
        assert_eq!(property("stage.2.load").as_deref(), Some("4"));
        assert_eq!(property("stage.2.hits").as_deref(), Some("12"));
        assert_eq!(property("stage.1.hits_per_sec").as_deref(), Some("12.0"));
        assert_eq!(property("stage.1.time.p50.ms"), None, "no request, no time");
        assert_eq!(property("blocked.fixture::get.times").as_deref(), Some("2"));
        assert_eq!(
            property("blocked.fixture::get.longest_secs").as_deref(),
            Some("0.750")
        );
        assert_eq!(property("request_log.entries").as_deref(), Some("18"));
        assert_eq!(
            property("request_log.path").as_deref(),
            Some("/tmp/requests.jsonl")
        );
    }

    #[test]
    fn failed_hits_and_broken_thresholds_fail_and_hostile_text_stays_text() {
        let mut report = Report {
            test: "example::<odd>".into(),
            ..Report::default()
        };
        report.stats.hits.success = 8;
        report.stats.hits.failures = 2;
        report.stats.add_problem(
            ProblemKind::Failure,
            "]]></failure><x a=\"1\"> & \u{1b}[31mred\u{1b}[0m",
            Some("tests/a.rs:3:5"),
            2,
        );
        let verdicts = [Verdict {
            threshold: "p95<1ms".into(),
            measured: "3.0 ms".into(),
            passed: false,
        }];
        let xml = render(&report, &verdicts, "summary <with> & stuff");
        let doc = parse(&xml);
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        let text = failure.text().unwrap();
        assert!(text.contains("2 of 10 hits did not succeed"), "{text}");
        assert!(
            text.contains("]]></failure><x a=\"1\"> & \u{FFFD}[31mred"),
            "{text}"
        );
        assert!(
            text.contains("threshold p95<1ms broken: measured 3.0 ms"),
            "{text}"
        );
        assert!(
            failure
                .attribute("message")
                .unwrap()
                .contains("1 threshold(s) broken")
        );
        assert!(!doc.descendants().any(|n| n.has_tag_name("x")));
        let out = doc
            .descendants()
            .find(|n| n.has_tag_name("system-out"))
            .unwrap();
        assert_eq!(out.text(), Some("summary <with> & stuff"));
        assert_eq!(doc.root_element().attribute("failures"), Some("1"));
    }

    #[test]
    fn a_broken_threshold_alone_fails_the_case() {
        let mut report = Report::default();
        report.stats.hits.success = 3;
        let verdicts = [Verdict {
            threshold: "rps>1000".into(),
            measured: "3.0/s".into(),
            passed: false,
        }];
        let doc_text = render(&report, &verdicts, "");
        let doc = parse(&doc_text);
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert_eq!(failure.attribute("message"), Some("1 threshold(s) broken"));
    }

    #[test]
    fn a_crash_is_the_failure_and_names_its_signal() {
        let mut report = Report {
            test: "fixture::crash".into(),
            interrupted: true,
            stop_reason: Some(
                "the test binary crashed: it was killed by signal 6 (SIGABRT)".into(),
            ),
            ..Report::default()
        };
        report.stats.hits.success = 30;
        let doc_text = render(&report, &[], "");
        let doc = parse(&doc_text);
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert_eq!(
            failure.attribute("message"),
            Some("stopped early: the test binary crashed: it was killed by signal 6 (SIGABRT)")
        );
        assert!(
            !failure.text().unwrap().contains("interrupted: the plan"),
            "said once"
        );
    }
}
