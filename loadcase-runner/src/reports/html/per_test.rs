//! The HTML report's table of a mix's tests (`cargo loadrun a:3 b:1`): one row per test with its
//! weight, hits and how they ended, hit times, requests, and its users' setups and teardowns.

use std::fmt::Write;

use loadcase::Report;
use loadcase::report::Figures;
use loadcase::report::{HookStats, Stats};

use crate::per_test::{own_report, tests_of};
use crate::text::format::{count, escape_xml as escape, ms, percent};

/// Nothing for a single test; for a mix, a card with a row per test in the command line's order.
pub fn tests(out: &mut String, report: &Report) {
    if report.by_test.is_empty() {
        return;
    }
    out.push_str(
        "<section class=\"card\"><h2>Tests of the mix</h2>\
         <p class=\"caption\">Each virtual user ran one of these tests, chosen by weight. Setups \
         and teardowns run once per user and are not hits; hits not run are those of users whose \
         setup failed.</p>\
         <div class=\"scroll\"><table id=\"tests\" class=\"numbers\"><thead>\
         <tr class=\"group\"><th colspan=\"2\"></th><th colspan=\"5\">Hits</th>\
         <th colspan=\"3\">Hit time (ms)</th><th colspan=\"2\">Requests</th>\
         <th colspan=\"2\">Setup · teardown</th></tr><tr>\
         <th class=\"name\">Test</th><th>Weight</th><th>Count</th><th>Success</th><th>Errors</th>\
         <th>Failures</th><th>Not run</th><th>p50</th><th>p95</th><th>p99</th><th>Count</th>\
         <th>Error %</th><th>Ran</th><th>Failed</th></tr></thead><tbody>",
    );
    for test in tests_of(report) {
        let (path, stats) = (test.path, test.stats);
        let own = own_report(report, stats);
        let figures = Figures::of(&own);
        let weight = test.weight.map_or("–".to_owned(), |(w, _)| w.to_string());
        let hits = &figures.hits;
        let time = |label: &str| match hits.time.percentile(label) {
            Some(value) if hits.time.count > 0 => ms(value),
            _ => "–".to_owned(),
        };
        let hooks = |f: fn(&HookStats) -> u64| f(&stats.setup) + f(&stats.teardown);
        let failed = hooks(|h| h.errors + h.failures);
        let bad = |n: u64| if n > 0 { " class=\"bad\"" } else { "" };
        let _ = write!(
            out,
            "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td>\
             <td{}>{}</td><td{}>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td{}>{}</td><td>{}</td><td{}>{}</td></tr>",
            escape(path),
            escape(&weight),
            count(hits.total),
            count(hits.success),
            bad(hits.errors),
            count(hits.errors),
            bad(hits.failures),
            count(hits.failures),
            bad(stats.hits.not_run),
            count(stats.hits.not_run),
            escape(&time("p50")),
            escape(&time("p95")),
            escape(&time("p99")),
            count(figures.overall.count),
            bad(figures.overall.errors),
            percent(figures.overall.error_rate),
            count(hooks(HookStats::total)),
            bad(failed),
            count(failed),
        );
    }
    out.push_str("</tbody></table></div></section>\n");
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
    fn a_mix_gets_a_row_per_test_in_command_line_order_and_a_single_test_none() {
        let mut report = Report {
            elapsed_secs: 1.0,
            ..Report::default()
        };
        let mut out = String::new();
        tests(&mut out, &report);
        assert_eq!(out, "", "no mix, no table");

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
        tests(&mut out, &report);
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
