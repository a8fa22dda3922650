//! The tests a run names: one, or a mix of several by weight (`cargo loadrun a::browse:3
//! a::checkout:1`), each virtual user running one of them. A mix runs in one test binary, so its
//! tests must be in one target; their own thresholds are checked against their own figures.

use anyhow::{Result, anyhow, bail};
use loadcase::__private::runner::ListedTest;
use loadcase::Report;
use loadcase::report::Figures;
use loadcase::report::Stats;
use loadcase::report::{self as threshold, Verdict};

use crate::cargo::TestBinary;
use crate::discover::{self, TestPath};
use crate::finish::Outputs;

/// The largest weight of a test in a mix.
pub const MAX_WEIGHT: u32 = 1000;

/// One test of the command line and its weight.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub path: TestPath<'a>,
    pub weight: u32,
}

/// The tests of a run, in the order given; the first is the one libtest is asked to run.
#[derive(Debug)]
pub struct Selection<'a> {
    pub entries: Vec<Entry<'a>>,
}

/// The tests of a run as found in their test binary.
pub struct Picked<'b> {
    pub binary: &'b TestBinary,
    /// What the binary lists about each entry, in the entries' order.
    pub listed: Vec<ListedTest>,
    /// `example::test_es`, or `example::browse:3 + example::checkout:1` for a mix: the name of
    /// the run in the progress display and the history.
    pub display_name: String,
}

impl<'a> Selection<'a> {
    /// Parses `target::path::fn[:WEIGHT]` entries; every problem is a usage error naming the
    /// entry and the fix. Checks that a mix stays within one target, before anything is built.
    pub fn parse(texts: &'a [String]) -> Result<Selection<'a>> {
        let mut entries: Vec<Entry<'a>> = Vec::new();
        for text in texts {
            let entry = parse_entry(text)?;
            if let Some(same) = entries.iter().find(|e| e.path == entry.path) {
                bail!(
                    "`{}::{}` is given twice in the mix; give it once, with the sum of its weights ({}::{}:{})",
                    entry.path.target,
                    entry.path.name,
                    entry.path.target,
                    entry.path.name,
                    same.weight + entry.weight
                );
            }
            entries.push(entry);
        }
        let Some(first) = entries.first() else {
            bail!("give a load test to run as target::function, or --list to see them");
        };
        let target = |e: &Entry<'_>| e.path.target.replace('-', "_");
        if let Some(other) = entries.iter().find(|e| target(e) != target(first)) {
            bail!(
                "the tests of a mix must be in one test target, but `{}::{}` is in target `{}` and `{}::{}` in target `{}`: \
                 a mix runs in one test binary (a limitation of cargo loadrun); to mix them, put them in one file, e.g. tests/{}.rs",
                first.path.target,
                first.path.name,
                first.path.target,
                other.path.target,
                other.path.name,
                other.path.target,
                first.path.target
            );
        }
        Ok(Selection { entries })
    }

    /// The first test: its target is the mix's, and libtest runs it.
    pub fn first(&self) -> &TestPath<'a> {
        &self.entries[0].path
    }

    fn is_mix(&self) -> bool {
        self.entries.len() > 1
    }

    /// Finds every test of the selection among the binaries built for its target; an unknown
    /// name gets the closest ones. A mix whose tests are in different binaries of that name (a
    /// `tests/NAME.rs` beside a library NAME) cannot run as one.
    pub fn pick<'b>(&self, binaries: &'b [TestBinary]) -> Result<Picked<'b>> {
        let mut binary: Option<&TestBinary> = None;
        let mut listed = Vec::new();
        for entry in &self.entries {
            let (found, test) = crate::pick(binaries, &entry.path)?;
            if let Some(first) = binary
                && first.exe != found.exe
            {
                bail!(
                    "the tests of a mix must be in one test binary, but `{}::{}` is in {} and `{}::{}` in {} (both targets are named `{}`); \
                     put them in one file",
                    self.first().target,
                    self.first().name,
                    first.exe.display(),
                    entry.path.target,
                    entry.path.name,
                    found.exe.display(),
                    found.target.name
                );
            }
            binary = Some(found);
            listed.push(test);
        }
        let binary = binary.expect("a selection has at least one test");
        let names: Vec<String> = self
            .entries
            .iter()
            .map(|entry| {
                let name = format!("{}::{}", binary.target.name, entry.path.name);
                if self.is_mix() {
                    format!("{name}:{}", entry.weight)
                } else {
                    name
                }
            })
            .collect();
        Ok(Picked {
            binary,
            listed,
            display_name: names.join(" + "),
        })
    }

    /// What the plan carries to the test binary: libtest names and weights, or nothing for a
    /// single test.
    pub fn plan_mix(&self) -> Vec<(String, u32)> {
        if !self.is_mix() {
            return Vec::new();
        }
        self.entries
            .iter()
            .map(|e| (e.path.name.to_owned(), e.weight))
            .collect()
    }
}

impl Picked<'_> {
    /// The tests' own `thresholds(…)` into `outputs`: a single test's apply to the run, ahead
    /// of the command line's; each test of a mix's to that test's own figures. A malformed one
    /// is a usage error naming where it is written.
    pub fn add_thresholds(&self, outputs: &mut Outputs) -> Result<()> {
        let mix = self.listed.len() > 1;
        for test in &self.listed {
            let name = format!("{}::{}", self.binary.target.name, test.name);
            let own = threshold::parse_thresholds(&test.thresholds).map_err(|e| {
                anyhow!(
                    "{e}\n  in thresholds(…) of #[load_test] `{name}` at {}:{}; fix it there",
                    test.file,
                    test.line
                )
            })?;
            if !mix {
                outputs.thresholds.splice(0..0, own);
            } else if !own.is_empty() {
                outputs.by_test.push((name, own));
            }
        }
        Ok(())
    }
}

/// `target::path::fn` or `target::path::fn:WEIGHT`.
fn parse_entry(text: &str) -> Result<Entry<'_>> {
    // A weight follows a lone `:`; the `::` of the path are not one.
    let bytes = text.as_bytes();
    let lone: Vec<usize> = (0..bytes.len())
        .filter(|&i| {
            bytes[i] == b':'
                && (i == 0 || bytes[i - 1] != b':')
                && bytes.get(i + 1).is_none_or(|&b| b != b':')
        })
        .collect();
    let (path, weight) = match lone.as_slice() {
        [] => (text, None),
        [at] => (&text[..*at], Some(&text[at + 1..])),
        [..] => bail!(
            "`{text}` has more than one weight; write target::function:WEIGHT, e.g. example::browse:3"
        ),
    };
    let path = discover::parse_test_path(path)?;
    let weight = match weight {
        None => 1,
        Some(weight) => match weight.parse::<u32>() {
            Ok(w @ 1..=MAX_WEIGHT) => w,
            _ => bail!(
                "`{text}`: the weight `{weight}` is not a whole number from 1 to {MAX_WEIGHT}; write e.g. {}::{}:3 (without a weight, a test weighs 1)",
                path.target,
                path.name
            ),
        },
    };
    Ok(Entry { path, weight })
}

/// One test of a finished mix, as the summary and the HTML report list it.
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

/// Every verdict of a finished run: each test's own thresholds of a mix, over that test's own
/// figures and labelled with it, then those that cover the whole run.
pub fn verdicts(report: &Report, outputs: &Outputs) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    for (test, thresholds) in &outputs.by_test {
        // A test that ran no user has no figures: its thresholds are then broken, not met.
        let none = Stats::default();
        let figures = Figures::of(&own_report(
            report,
            report.by_test.get(test).unwrap_or(&none),
        ));
        verdicts.extend(thresholds.iter().map(|t| {
            let verdict = t.check(&figures);
            Verdict {
                threshold: format!("{} ({test})", verdict.threshold),
                ..verdict
            }
        }));
    }
    verdicts.extend(threshold::check_thresholds(
        &outputs.thresholds,
        &Figures::of(report),
    ));
    verdicts
}

#[cfg(test)]
mod tests;
