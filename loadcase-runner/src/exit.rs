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
/// A segment (`--segment`, `--segments`) was ready only after `--start-at` and its grace, and
/// ran nothing rather than run late.
pub const MISSED_START: u8 = 5;
/// `cargo loadrun merge`: a segment's report is missing, or a segment did not run its share to
/// its end; the figures cover the rest.
pub const PARTIAL: u8 = 6;
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

/// The exit code of a segment: its figures are judged on the merge, so a segment that ran its
/// share to the end succeeded, whatever its hits did — an engine that counts failed processes
/// (a Kubernetes index, an `srun -K` step) then fails only for a segment that could not run.
pub fn for_segment(report: &Report) -> u8 {
    if report.missed_start {
        MISSED_START
    } else if report.interrupted && report.stop_reason.is_none() {
        INTERRUPTED
    } else {
        SUCCESS
    }
}

/// The exit code of a merge: a partial one says so before anything else, since its figures
/// cover only part of the plan; a complete one earns what one run of the whole plan would.
pub fn for_merge(report: &Report, verdicts: &[Verdict], partial: bool) -> u8 {
    if partial {
        PARTIAL
    } else {
        for_run(report, verdicts)
    }
}

/// The exit code of a run that ended in `error`: interrupted (130) when a Ctrl-C stopped it
/// before its load began, a usage or build error (2) otherwise.
pub fn of_error(error: &anyhow::Error) -> u8 {
    if error.is::<crate::signal::Interrupted>() || crate::signal::interrupts() > 0 {
        INTERRUPTED
    } else {
        USAGE
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
    fn a_segment_is_judged_on_the_merge_and_a_partial_merge_has_its_own_code() {
        let mut r = report(5);
        r.stats.hits.failures = 3;
        assert_eq!(
            for_segment(&r),
            SUCCESS,
            "its failures are the merge's to judge"
        );
        r.interrupted = true;
        assert_eq!(for_segment(&r), INTERRUPTED);
        r.stop_reason = Some("all 5 rows of users.csv have been used (unique)".into());
        assert_eq!(
            for_segment(&r),
            SUCCESS,
            "stopped by its own test: ran to its end"
        );
        let mut late = Report {
            missed_start: true,
            stop_reason: Some("ready 3.0s after --start-at".into()),
            ..Report::default()
        };
        assert_eq!(for_segment(&late), MISSED_START);
        late.interrupted = true;
        assert_eq!(for_segment(&late), MISSED_START);
        assert_eq!(for_merge(&report(5), &[], true), PARTIAL);
        assert_eq!(for_merge(&report(5), &[], false), SUCCESS);
        assert_eq!(for_merge(&r, &[], false), HITS_FAILED);
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
