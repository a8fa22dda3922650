//! Which tests the command line names and where they are: `target::path::function` parsed,
//! the targets it can mean, the test found in their binaries (close names for a typo), and the
//! tests of a mix (`cargo loadrun a::browse:3 a::checkout:1`), each virtual user running one of
//! them by weight. A mix runs in one test binary, so its tests must be in one target.

use anyhow::{Result, anyhow, bail};
use loadcase::__private::runner::ListedTest;
use loadcase::report as threshold;

use super::cargo::{Kind, TestBinary, TestTarget, Workspace};
use super::discover;
use crate::verdict::Thresholds;

/// `example::mod::test_es` split into the target and the name libtest knows.
#[derive(Debug, PartialEq, Eq)]
pub struct TestPath<'a> {
    pub target: &'a str,
    pub name: &'a str,
}

pub fn parse_test_path(text: &str) -> Result<TestPath<'_>> {
    match text.split_once("::") {
        Some((target, name)) if !target.is_empty() && !name.is_empty() && !name.ends_with("::") => {
            Ok(TestPath { target, name })
        }
        _ => bail!(
            "`{text}` is not a load test path; write target::function, e.g. example::test_es for test_es in tests/example.rs (cargo loadrun --list shows them all)"
        ),
    }
}

/// Up to three candidates close to `wanted`, closest first.
pub fn suggest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| {
            let last = c.rsplit("::").next().unwrap_or(c);
            let wanted_last = wanted.rsplit("::").next().unwrap_or(wanted);
            let score =
                strsim::jaro_winkler(wanted, c).max(strsim::jaro_winkler(wanted_last, last));
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// "; did you mean `a` or `b`?" or nothing.
pub fn did_you_mean(suggestions: &[&str]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        [init @ .., last] => format!(
            "; did you mean {} or `{last}`?",
            init.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The targets a test path can mean, most likely first: one, or several of one package that
/// share the name (a `tests/NAME.rs` beside a library or binary NAME), of which the one that
/// holds the test is then chosen.
pub fn find_targets<'t>(
    path: &TestPath<'_>,
    targets: &'t [TestTarget],
) -> Result<Vec<&'t TestTarget>> {
    let wanted = path.target.replace('-', "_");
    let mut matching: Vec<&TestTarget> = targets.iter().filter(|t| t.name == wanted).collect();
    if matching.is_empty() {
        let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
        let hint = did_you_mean(&suggest(&wanted, names.iter().copied()));
        bail!(
            "no test target named `{}`{hint}\n  test targets here: {}\n  (use -p PACKAGE or --manifest-path to look in another package)",
            path.target,
            names.join(", ")
        );
    }
    if matching.iter().any(|t| t.package != matching[0].package) {
        let packages: Vec<&str> = matching.iter().map(|t| t.package.as_str()).collect();
        bail!(
            "test target `{}` exists in packages {}; choose one with -p PACKAGE",
            path.target,
            packages.join(", ")
        );
    }
    matching.sort_by_key(|t| match t.kind {
        Kind::Test => 0,
        Kind::Lib => 1,
        Kind::Bin => 2,
    });
    Ok(matching)
}

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
            let (found, test) = find_test(binaries, &entry.path)?;
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
    /// The tests' own `thresholds(…)` into `thresholds`: a single test's apply to the run,
    /// ahead of the command line's; each test of a mix's to that test's own figures. A
    /// malformed one is a usage error naming where it is written.
    pub fn add_thresholds(&self, thresholds: &mut Thresholds) -> Result<()> {
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
                thresholds.run.splice(0..0, own);
            } else if !own.is_empty() {
                thresholds.by_test.push((name, own));
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
    let path = parse_test_path(path)?;
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

/// Of the binaries built for a test path, the one that holds the test; or an error that lists
/// the load tests they do hold, with the closest first.
fn find_test<'b>(
    binaries: &'b [TestBinary],
    path: &TestPath<'_>,
) -> Result<(&'b TestBinary, ListedTest)> {
    let mut names = Vec::new();
    for binary in binaries {
        let listed = discover::list(binary)?;
        if let Some(test) = listed.iter().find(|t| t.name == path.name) {
            return Ok((binary, test.clone()));
        }
        names.extend(
            listed
                .iter()
                .map(|t| format!("{}::{}", binary.target.name, t.name)),
        );
    }
    names.sort();
    names.dedup();
    let wanted = format!("{}::{}", path.target, path.name);
    let hint = did_you_mean(&suggest(&wanted, names.iter().map(String::as_str)));
    let available = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    };
    bail!(
        "no load test `{wanted}`{hint}\n  load tests in target `{}`: {available}",
        path.target
    )
}

/// A command line whose tests do not parse: when one is a bare function name (`test_es`, not
/// a path), the load tests it could mean are named after the error, which takes building every
/// target; otherwise the error as it is.
pub fn with_full_names(
    error: anyhow::Error,
    texts: &[String],
    workspace: &Workspace,
) -> anyhow::Error {
    // A bare name, without its weight if it has one (`browse:3`).
    let bare = texts.iter().find(|t| !t.contains("::"));
    let Some(bare) = bare
        .map(|t| t.split(':').next().unwrap_or(t))
        .filter(|t| !t.is_empty())
    else {
        return error;
    };
    let targets = workspace.targets();
    let buildable: Vec<&TestTarget> = targets.iter().filter(|t| t.buildable).collect();
    let Ok(binaries) = workspace.build(&buildable) else {
        return error;
    };
    let suffix = format!("::{bare}");
    let mut matches: Vec<String> = binaries
        .iter()
        .filter_map(|binary| Some((binary, discover::list(binary).ok()?)))
        .flat_map(|(binary, tests)| {
            tests
                .into_iter()
                .map(move |t| format!("{}::{}", binary.target.name, t.name))
        })
        .filter(|name| name.ends_with(&suffix))
        .collect();
    matches.sort();
    matches.dedup();
    if matches.is_empty() {
        return error;
    }
    let quoted: Vec<String> = matches.iter().map(|m| format!("`{m}`")).collect();
    anyhow!(
        "{error}\n  load tests named `{bare}`: {}",
        quoted.join(", ")
    )
}

#[cfg(test)]
mod tests;
