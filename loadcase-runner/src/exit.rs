//! The exit-code table, as documented in `--help` and the README, and how a finished run earns
//! its code.

use loadcase::Report;
use loadcase::report::Verdict;

/// Every hit succeeded.
pub const SUCCESS: u8 = 0;
/// Some hits failed, ended in an error or were cancelled, or none completed.
pub const HITS_FAILED: u8 = 1;
/// Usage error, build error, or the test binary crashed.
pub const USAGE: u8 = 2;
/// Every hit succeeded, but a threshold was broken.
pub const THRESHOLDS: u8 = 3;
/// `--fail-on-regression`: `--compare` found a regression beyond the tolerance. The weakest
/// code: it only replaces a success.
pub const REGRESSION: u8 = 4;
/// Interrupted by Ctrl-C.
pub const INTERRUPTED: u8 = 130;

/// The exit code a finished run deserves: anything that went wrong — a failed, errored or
/// cancelled hit, a failed setup or teardown and the hits it kept from running, a user that
/// crashed outside a hit, no hit at all, the test stopping the run (a `.unique()` dataset out of
/// rows) — is not a success. Only a stop from outside (Ctrl-C) leaves the run unjudged.
pub fn for_report(report: &Report) -> u8 {
    let stats = &report.stats;
    let hits = &stats.hits;
    let hooks_failed = |hook: &loadcase::report::HookStats| hook.errors + hook.failures;
    if report.interrupted && report.stop_reason.is_none() {
        INTERRUPTED
    } else if hits.errors + hits.failures + hits.cancelled + hits.not_run > 0
        || hooks_failed(&stats.setup) + hooks_failed(&stats.teardown) > 0
        || !stats.problems.is_empty()
        || hits.total() == 0
        || report.stop_reason.is_some()
    {
        HITS_FAILED
    } else {
        SUCCESS
    }
}

/// The exit code of a finished run with its thresholds checked. When several apply, the first
/// of 130, 1, 3 wins: an interrupted run is not judged, and failed hits explain more than a
/// threshold they may have broken.
pub fn for_run(report: &Report, verdicts: &[Verdict]) -> u8 {
    match for_report(report) {
        SUCCESS if verdicts.iter().any(|v| !v.passed) => THRESHOLDS,
        code => code,
    }
}

#[cfg(test)]
mod tests {
    use loadcase::ProblemKind;

    use super::*;

    fn report(success: u64) -> Report {
        let mut report = Report::default();
        report.stats.hits.success = success;
        report
    }

    #[test]
    fn every_way_of_going_wrong_has_its_code() {
        assert_eq!(for_report(&report(5)), SUCCESS);
        assert_eq!(for_report(&report(0)), HITS_FAILED, "no hit at all");
        let mut r = report(5);
        r.stats.hits.failures = 1;
        assert_eq!(for_report(&r), HITS_FAILED);
        let mut r = report(5);
        r.stats.hits.cancelled = 1;
        assert_eq!(for_report(&r), HITS_FAILED);
        let mut r = report(5);
        r.stats.add_problem(
            ProblemKind::Error,
            "a virtual user crashed outside a hit",
            None,
            1,
        );
        assert_eq!(for_report(&r), HITS_FAILED);
        r.interrupted = true;
        assert_eq!(for_report(&r), INTERRUPTED);
        // Stopped by the test itself (a dataset out of rows): judged, and never a success.
        let mut r = report(5);
        r.interrupted = true;
        r.stop_reason = Some("all 5 rows of users.csv have been used (unique)".into());
        assert_eq!(for_report(&r), HITS_FAILED);
    }

    #[test]
    fn a_failed_setup_or_teardown_fails_the_run_like_a_failed_hit() {
        // Counted alone, without the problem groups that usually come with them.
        let mut r = report(5);
        r.stats.setup.success = 2;
        r.stats.teardown.success = 2;
        assert_eq!(for_report(&r), SUCCESS);
        let mut r = report(5);
        r.stats.setup.errors = 1;
        assert_eq!(for_report(&r), HITS_FAILED);
        let mut r = report(5);
        r.stats.teardown.failures = 1;
        assert_eq!(for_report(&r), HITS_FAILED);
        let mut r = report(5);
        r.stats.hits.not_run = 3;
        assert_eq!(for_report(&r), HITS_FAILED);
    }

    #[test]
    fn thresholds_have_their_own_code_below_failed_hits() {
        let verdict = |passed| Verdict {
            threshold: "p95<1s".into(),
            measured: "2 ms".into(),
            passed,
        };
        assert_eq!(for_run(&report(5), &[verdict(true)]), SUCCESS);
        assert_eq!(
            for_run(&report(5), &[verdict(true), verdict(false)]),
            THRESHOLDS
        );
        let mut r = report(5);
        r.stats.hits.errors = 1;
        assert_eq!(for_run(&r, &[verdict(false)]), HITS_FAILED);
        r.interrupted = true;
        assert_eq!(for_run(&r, &[verdict(false)]), INTERRUPTED);
    }
}
