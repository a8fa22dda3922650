//! Finding load tests: parsing `target::path::function`, listing what a test binary holds, and
//! suggesting close names for a typo.

use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};
use loadcase::__private::runner::ListedTest;
use loadcase::__private::runner::env;

use crate::cargo::{Kind, TestBinary, TestTarget};

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

/// Whether a test binary can hold load tests and speaks libtest: it contains loadcase's listing
/// variable and libtest's `--test-threads` option. Anything else — a binary without loadcase, a
/// `harness = false` target that would simply run on `--list` — is never started.
pub fn may_hold_load_tests(exe: &std::path::Path) -> Result<bool> {
    let bytes = std::fs::read(exe).with_context(|| format!("cannot read {}", exe.display()))?;
    let has = |needle: &[u8]| memchr::memmem::find(&bytes, needle).is_some();
    Ok(has(env::LIST.as_bytes()) && has(b"test-threads"))
}

/// Asks a test binary which load tests it holds, without running any test: the binary lists
/// its tests (`--list`) and each `#[load_test]` announces itself on start-up.
pub fn list(binary: &TestBinary) -> Result<Vec<ListedTest>> {
    if !may_hold_load_tests(&binary.exe)? {
        return Ok(Vec::new());
    }
    let file = std::env::temp_dir().join(format!(
        "loadcase-list-{}-{}.jsonl",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let output = Command::new(&binary.exe)
        .args(["--list", "--format", "terse"])
        .env(env::LIST, &file)
        .current_dir(&binary.target.package_dir)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", binary.exe.display()))?;
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    if !output.status.success() {
        bail!(
            "{} could not list its tests ({}): {}",
            binary.exe.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let mut tests: Vec<ListedTest> = text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    tests.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    tests.dedup();
    Ok(tests)
}

#[cfg(test)]
mod tests;
