//! What the summary says about per-user setups and teardowns, and about each test of a mix.

use std::fmt::Write;

use loadcase::Report;
use loadcase::report::{HookStats, Stats};

use super::{human, requests_table};

/// After Loads' block: the run's setup and teardown lines, then, for a mix, each test's own
/// figures; the summary then goes on with the figures of all tests together.
pub(super) fn render(out: &mut String, report: &Report) {
    let mut phases = String::new();
    phase_lines(&mut phases, &report.stats, "");
    if !phases.is_empty() {
        let _ = write!(out, "\n{phases}");
    }
    breakdown(out, report);
}

/// `Setup: 100 ran, 98 ok, 2 failed · p50 1.2ms, p95 3.4ms, p99 5.1ms`, the hits that did not
/// run for it, and the same for the teardown; nothing for what did not run.
fn phase_lines(out: &mut String, stats: &Stats, indent: &str) {
    phase_line(out, "Setup", &stats.setup, indent);
    if stats.hits.not_run > 0 {
        let _ = writeln!(
            out,
            "{indent}Hits not run (setup failed): {}",
            stats.hits.not_run
        );
    }
    phase_line(out, "Teardown", &stats.teardown, indent);
}

fn phase_line(out: &mut String, label: &str, phase: &HookStats, indent: &str) {
    if phase.total() == 0 {
        return;
    }
    let _ = write!(
        out,
        "{indent}{label}: {} ran, {} ok, {} failed",
        phase.total(),
        phase.success,
        phase.errors + phase.failures
    );
    if !phase.time.is_empty() {
        let t = &phase.time;
        let _ = write!(
            out,
            " · p50 {}, p95 {}, p99 {}",
            human(t.quantile(0.50)),
            human(t.quantile(0.95)),
            human(t.quantile(0.99))
        );
    }
    let _ = writeln!(out);
}

/// Each test of a mix on its own, in the order of the command line, with its weight.
fn breakdown(out: &mut String, report: &Report) {
    if report.by_test.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nPer test (each virtual user runs one of them, chosen by weight):"
    );
    for test in crate::mix::tests_of(report) {
        let weight = match test.weight {
            Some((weight, total)) => format!(" (weight {weight} of {total})"),
            None => String::new(),
        };
        let _ = writeln!(out, "\n{}{weight}", test.path);
        test_block(out, report, test.stats);
    }
    let _ = writeln!(out, "\nAll tests together:");
}

fn test_block(out: &mut String, report: &Report, stats: &Stats) {
    let hits = &stats.hits;
    let _ = writeln!(
        out,
        "  Hits: {} (success {}, errors {}, failures {})",
        hits.total(),
        hits.success,
        hits.errors,
        hits.failures
    );
    if hits.cancelled > 0 {
        let _ = writeln!(out, "  Cancelled: {}", hits.cancelled);
    }
    if hits.dropped > 0 {
        let _ = writeln!(out, "  Dropped: {}", hits.dropped);
    }
    if !hits.time.is_empty() {
        let _ = writeln!(
            out,
            "  Hit time: p50 {}, p95 {}, p99 {}",
            human(hits.time.quantile(0.50)),
            human(hits.time.quantile(0.95)),
            human(hits.time.quantile(0.99))
        );
    }
    phase_lines(out, stats, "  ");
    // The run's request table, over this test's requests alone.
    let own = crate::mix::own_report(report, stats);
    let mut table = String::new();
    requests_table(&mut table, &own);
    for line in table.lines().skip_while(|l| l.is_empty()) {
        let _ = writeln!(out, "  {line}");
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use loadcase::Plan;

    use super::*;

    fn stats(success: u64, errors: u64) -> Stats {
        let mut stats = Stats::default();
        stats.hits.success = success;
        stats.hits.errors = errors;
        for _ in 0..success + errors {
            stats.hits.time.record(Duration::from_millis(2));
        }
        stats
    }

    fn render_of(report: &Report) -> String {
        let mut out = String::new();
        render(&mut out, report);
        out
    }

    #[test]
    fn nothing_for_a_single_test_without_setup_or_teardown() {
        let report = Report {
            stats: stats(10, 0),
            ..Report::default()
        };
        assert_eq!(render_of(&report), "");
    }

    #[test]
    fn setup_and_teardown_lines_say_what_ran_and_what_did_not() {
        let mut report = Report {
            stats: stats(10, 0),
            ..Report::default()
        };
        report.stats.setup.success = 98;
        report.stats.setup.errors = 1;
        report.stats.setup.failures = 1;
        for _ in 0..100 {
            report.stats.setup.time.record(Duration::from_millis(3));
        }
        report.stats.hits.not_run = 20;
        let text = render_of(&report);
        assert!(
            text.starts_with(
                "\nSetup: 100 ran, 98 ok, 2 failed · p50 3.0ms, p95 3.0ms, p99 3.0ms\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("\nHits not run (setup failed): 20\n"),
            "{text}"
        );
        assert!(!text.contains("Teardown"), "no teardown ran: {text}");
        report.stats.teardown.success = 5;
        assert!(render_of(&report).contains("Teardown: 5 ran, 5 ok, 0 failed\n"));
    }

    #[test]
    fn a_mix_shows_each_test_in_command_line_order_with_its_weight() {
        let mut report = Report {
            elapsed_secs: 2.0,
            ..Report::default()
        };
        let mut plan = Plan::once();
        plan.mix = vec![("zeta".into(), 3), ("alpha".into(), 1)];
        report.plan = Some(plan);
        let zeta = stats(150, 0);
        let mut alpha = stats(48, 2);
        alpha.setup.success = 25;
        alpha
            .requests
            .insert("GET /es".into(), loadcase::report::RequestStats::default());
        report.stats.merge(&zeta);
        report.stats.merge(&alpha);
        report.by_test.insert("shop::zeta".into(), zeta);
        report.by_test.insert("shop::alpha".into(), alpha);
        let text = render_of(&report);
        let zeta_at = text.find("\nshop::zeta (weight 3 of 4)\n").expect(&text);
        let alpha_at = text.find("\nshop::alpha (weight 1 of 4)\n").expect(&text);
        assert!(zeta_at < alpha_at, "command-line order: {text}");
        assert!(text.contains(
            "\nshop::zeta (weight 3 of 4)\n  Hits: 150 (success 150, errors 0, failures 0)\n  Hit time: p50 2.0ms, p95 2.0ms, p99 2.0ms\n"
        ), "{text}");
        let alpha_block = &text[alpha_at..];
        assert!(alpha_block.contains("  Hits: 50 (success 48, errors 2, failures 0)"));
        assert!(alpha_block.contains("  Setup: 25 ran, 25 ok, 0 failed\n"));
        assert!(
            alpha_block.contains("\n  Request "),
            "its own table: {text}"
        );
        assert!(alpha_block.contains("\n  GET /es "), "{text}");
        assert!(
            !text[..alpha_at].contains("GET /es"),
            "zeta's block has no request of alpha's: {text}"
        );
        assert!(text.ends_with("\nAll tests together:\n"), "{text}");
    }
}
