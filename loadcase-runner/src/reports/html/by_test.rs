//! The HTML report's table of a mix's tests (`cargo loadrun a:3 b:1`): one row per test with its
//! weight, hits and how they ended, hit times, requests, and its users' setups and teardowns.

use loadcase::Report;
use loadcase::report::Figures;
use loadcase::report::{HookStats, Stats};
use maud::{Markup, html};

use super::table::number_table;
use crate::by_test::{TestFigures, own_report, tests_of};
use crate::text::format::{count, ms, percent};

/// Nothing for a single test; for a mix, a card with a row per test in the command line's order.
pub fn tests(report: &Report) -> Markup {
    if report.by_test.is_empty() {
        return html! {};
    }
    html! {
        section.card {
            h2 { "Tests of the mix" }
            p.caption {
                "Each virtual user ran one of these tests, chosen by weight. Setups and teardowns \
                 run once per user and are not hits; hits not run are those of users whose setup \
                 failed."
            }
            (number_table(
                "tests",
                &[(2, ""), (5, "Hits"), (3, "Hit time (ms)"), (2, "Requests"), (2, "Setup · teardown")],
                &[
                    "Test", "Weight", "Count", "Success", "Errors", "Failures", "Not run", "p50",
                    "p95", "p99", "Count", "Error %", "Ran", "Failed",
                ],
                html! {
                    @for test in tests_of(report) {
                        (row(report, &test))
                    }
                },
                None,
            ))
        }
    }
}

fn row(report: &Report, test: &TestFigures<'_>) -> Markup {
    let stats = test.stats;
    let figures = Figures::of(&own_report(report, stats));
    let weight = test.weight.map_or("–".to_owned(), |(w, _)| w.to_string());
    let hits = &figures.hits;
    let time = |label: &str| match hits.time.percentile(label) {
        Some(value) if hits.time.count > 0 => ms(value),
        _ => "–".to_owned(),
    };
    let hooks = |f: fn(&HookStats) -> u64| f(&stats.setup) + f(&stats.teardown);
    let failed = hooks(|h| h.errors + h.failures);
    let bad = |n: u64| (n > 0).then_some("bad");
    html! {
        tr {
            td.name { (test.path) }
            td { (weight) }
            td { (count(hits.total)) }
            td { (count(hits.success)) }
            td class=[bad(hits.errors)] { (count(hits.errors)) }
            td class=[bad(hits.failures)] { (count(hits.failures)) }
            td class=[bad(stats.hits.not_run)] { (count(stats.hits.not_run)) }
            td { (time("p50")) }
            td { (time("p95")) }
            td { (time("p99")) }
            td { (count(figures.overall.count)) }
            td class=[bad(figures.overall.errors)] { (percent(figures.overall.error_rate)) }
            td { (count(hooks(HookStats::total))) }
            td class=[bad(failed)] { (count(failed)) }
        }
    }
}

/// What failed in the users' setups and teardowns, for the verdict: `2 of 100 setups failed`,
/// `20 hits not run`, `1 of 98 teardowns failed`; nothing when all went well.
pub fn hook_failures(stats: &Stats) -> Vec<String> {
    let mut reasons = Vec::new();
    for (what, hook) in [("setups", &stats.setup), ("teardowns", &stats.teardown)] {
        let failed = hook.errors + hook.failures;
        if failed > 0 {
            reasons.push(format!(
                "{} of {} {what} failed",
                count(failed),
                count(hook.total())
            ));
        }
        if what == "setups" && stats.hits.not_run > 0 {
            reasons.push(format!("{} hits not run", count(stats.hits.not_run)));
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use loadcase::Plan;

    use super::*;

    #[test]
    fn a_mix_gets_a_row_by_test_in_command_line_order_and_a_single_test_none() {
        let mut report = Report {
            elapsed_secs: 1.0,
            ..Report::default()
        };
        assert_eq!(tests(&report).into_string(), "", "no mix, no table");

        let mut plan = Plan::once();
        plan.mix = vec![("zeta".into(), 3), ("alpha<b>".into(), 1)];
        report.plan = Some(plan);
        let mut zeta = Stats::default();
        zeta.hits.success = 150;
        let mut alpha = Stats::default();
        alpha.hits.success = 48;
        alpha.hits.errors = 2;
        alpha.hits.not_run = 6;
        alpha.setup.success = 22;
        alpha.setup.failures = 3;
        alpha.teardown.success = 22;
        report.by_test.insert("shop::zeta".into(), zeta);
        report.by_test.insert("shop::alpha<b>".into(), alpha);
        let out = tests(&report).into_string();
        let zeta_at = out.find("<td class=\"name\">shop::zeta</td><td>3</td><td>150</td>");
        let alpha_at = out.find(
            "<td class=\"name\">shop::alpha&lt;b&gt;</td><td>1</td><td>50</td><td>48</td>\
             <td class=\"bad\">2</td><td>0</td><td class=\"bad\">6</td>",
        );
        assert!(
            zeta_at.is_some() && alpha_at.is_some() && zeta_at < alpha_at,
            "{out}"
        );
        assert!(
            out.contains("<td>47</td><td class=\"bad\">3</td></tr>"),
            "25 setups and 22 teardowns ran, 3 failed: {out}"
        );
    }

    #[test]
    fn failed_setups_and_teardowns_and_hits_not_run_are_reasons_to_fail() {
        let mut stats = Stats::default();
        assert!(hook_failures(&stats).is_empty());
        stats.setup.success = 98;
        stats.setup.errors = 2;
        stats.hits.not_run = 20;
        stats.teardown.success = 97;
        stats.teardown.failures = 1;
        assert_eq!(
            hook_failures(&stats),
            [
                "2 of 100 setups failed",
                "20 hits not run",
                "1 of 98 teardowns failed"
            ]
        );
    }
}
