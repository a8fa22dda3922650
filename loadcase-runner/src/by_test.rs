//! Each test of a mix as a run of its own: its figures from the report's `by_test`, in the
//! command line's order with its weight, for the summary, the reports and the thresholds.

use loadcase::Report;
use loadcase::report::Stats;

/// One test of a finished mix.
pub struct TestFigures<'r> {
    /// `target::path::fn`.
    pub path: &'r str,
    /// Its weight in the plan, and the sum of all weights.
    pub weight: Option<(u32, u32)>,
    /// Its own figures.
    pub stats: &'r Stats,
}

/// The tests of a mix's report in the command line's order (the plan's), each with its weight;
/// empty for a single test.
pub fn tests_of(report: &Report) -> Vec<TestFigures<'_>> {
    let mix = report.plan.as_ref().map_or(&[][..], |p| p.mix.as_slice());
    let total = mix.iter().map(|(_, w)| w).sum();
    // The report names them by path (`target::name`), the plan as libtest does (`name`).
    let position = |path: &str| {
        let name = path.split_once("::").map_or(path, |(_, name)| name);
        mix.iter().position(|(n, _)| n == name)
    };
    let mut tests: Vec<(Option<usize>, TestFigures<'_>)> = report
        .by_test
        .iter()
        .map(|(path, stats)| {
            let at = position(path);
            let weight = at.map(|i| (mix[i].1, total));
            (
                at,
                TestFigures {
                    path,
                    weight,
                    stats,
                },
            )
        })
        .collect();
    tests.sort_by_key(|(at, _)| at.unwrap_or(usize::MAX));
    tests.into_iter().map(|(_, test)| test).collect()
}

/// A report of one test of a mix, with its own figures over the run's time, to figure it as a
/// run of its own.
pub fn own_report(run: &Report, stats: &Stats) -> Report {
    Report {
        elapsed_secs: run.elapsed_secs,
        started_unix_ms: run.started_unix_ms,
        plan: run.plan.clone(),
        stats: stats.clone(),
        ..Report::default()
    }
}
