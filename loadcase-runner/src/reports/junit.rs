//! The JUnit XML report: one test case per load test, failing when hits failed or thresholds
//! broke, so a CI's test view shows the load test beside the unit tests.

use std::fmt::Write;

use loadcase::Report;
use loadcase::report::Figures;
use loadcase::report::Verdict;

use crate::text::format::{escape_xml as escape, utc_time};

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
