//! Thresholds judged: the run's own over its figures, and in a mix each test's own over that
//! test's figures, labelled with it.

use loadcase::Report;
use loadcase::report::{self as threshold, Figures, Stats, Threshold, Verdict};

use crate::by_test::own_report;

/// Every threshold of a run, by what it judges.
#[derive(Debug, Default)]
pub struct Thresholds {
    /// Over the whole run: a single test's own, then the profile's or the command line's.
    pub run: Vec<Threshold>,
    /// In a mix, each test's own thresholds, by test path, checked against its own figures.
    pub by_test: Vec<(String, Vec<Threshold>)>,
}

/// Every verdict of a finished run: each test's own thresholds of a mix, then those that cover
/// the whole run.
pub fn verdicts(report: &Report, thresholds: &Thresholds) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    for (test, own) in &thresholds.by_test {
        // A test that ran no user has no figures: its thresholds are then broken, not met.
        let none = Stats::default();
        let figures = Figures::of(&own_report(
            report,
            report.by_test.get(test).unwrap_or(&none),
        ));
        verdicts.extend(own.iter().map(|t| {
            let verdict = t.check(&figures);
            Verdict {
                threshold: format!("{} ({test})", verdict.threshold),
                ..verdict
            }
        }));
    }
    verdicts.extend(threshold::check_thresholds(
        &thresholds.run,
        &Figures::of(report),
    ));
    verdicts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_test_of_a_mix_is_judged_on_its_own_figures() {
        let mut report = Report {
            elapsed_secs: 1.0,
            ..Report::default()
        };
        let mut ok = Stats::default();
        ok.hits.success = 9;
        let mut bad = Stats::default();
        bad.hits.success = 1;
        bad.hits.errors = 1;
        report.stats.merge(&ok);
        report.stats.merge(&bad);
        report.by_test.insert("shop::browse".into(), ok);
        report.by_test.insert("shop::checkout".into(), bad);
        let own = |t: &str| threshold::parse_thresholds(&[t]).unwrap();
        let thresholds = Thresholds {
            run: own("hit_error_rate<20%"),
            by_test: vec![
                ("shop::browse".into(), own("hit_error_rate<10%")),
                ("shop::checkout".into(), own("hit_error_rate<10%")),
                ("shop::gone".into(), own("hits>0")),
            ],
        };
        let verdicts = verdicts(&report, &thresholds);
        let seen: Vec<(&str, bool)> = verdicts
            .iter()
            .map(|v| (v.threshold.as_str(), v.passed))
            .collect();
        assert_eq!(
            seen,
            [
                ("hit_error_rate<10% (shop::browse)", true),
                ("hit_error_rate<10% (shop::checkout)", false),
                ("hits>0 (shop::gone)", false),
                // 1 of 11 over the whole run.
                ("hit_error_rate<20%", true),
            ]
        );
    }
}
