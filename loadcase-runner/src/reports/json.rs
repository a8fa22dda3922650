//! The JSON report: the [`Report`] itself (histograms serialized losslessly, so reports of
//! several processes merge exactly with `Report::merge`), plus the derived figures and the
//! threshold verdicts for readers that do not want to decode histograms.

use loadcase::Report;
use loadcase::report::Figures;
use loadcase::report::Verdict;
use serde::Serialize;

use super::segment::Extra;

#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    figures: Figures,
    verdicts: &'a [Verdict],
    #[serde(flatten)]
    extra: &'a Extra<'a>,
}

/// The report, its figures and verdicts, and what a split run's report carries beside them (a
/// segment's or a merge's).
pub fn render(report: &Report, verdicts: &[Verdict], extra: &Extra<'_>) -> String {
    let doc = JsonReport {
        report,
        figures: Figures::of(report),
        verdicts,
        extra,
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("a report always serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn reads_back_as_the_same_report_with_figures_alongside() {
        let mut report = Report {
            schema: loadcase::report::REPORT_SCHEMA,
            test: "example::test_es".into(),
            elapsed_secs: 1.5,
            ..Report::default()
        };
        let r = report.stats.request_entry("GET /es");
        r.count = 3;
        r.time.record(Duration::from_millis(4));
        report.stats.status_codes.insert(200, 3);
        let verdicts = [Verdict {
            threshold: "p95<1s".into(),
            measured: "4.0 ms".into(),
            passed: true,
        }];
        let text = render(&report, &verdicts, &Extra::default());
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["schema"], loadcase::report::REPORT_SCHEMA);
        assert_eq!(value["figures"]["overall"]["count"], 3);
        assert_eq!(value["figures"]["requests"][0]["name"], "GET /es");
        assert_eq!(value["verdicts"][0]["passed"], true);
        assert_eq!(value["stats"]["status_codes"]["200"], 3);
    }
}
