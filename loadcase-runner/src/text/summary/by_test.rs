//! What the summary says about each test of a mix: its own hits, hit times, hooks and requests.

use std::fmt::Write;

use loadcase::Report;
use loadcase::report::Stats;

use super::{hooks, requests};
use crate::by_test::{own_report, tests_of};
use crate::text::format::human;

/// For a mix, each test's own figures, in the order of the command line, with its weight; the
/// summary then goes on with the figures of all tests together. Nothing for a single test.
pub fn render(out: &mut String, report: &Report) {
    if report.by_test.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nPer test (each virtual user runs one of them, chosen by weight):"
    );
    for test in tests_of(report) {
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
    hooks::lines(out, stats, "  ");
    // The run's request table, over this test's requests alone.
    let own = own_report(report, stats);
    let mut table = String::new();
    requests::table(&mut table, &own);
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
    fn nothing_for_a_single_test() {
        let report = Report {
            stats: stats(10, 0),
            ..Report::default()
        };
        assert_eq!(render_of(&report), "");
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
