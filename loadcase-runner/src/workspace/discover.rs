//! What a built test binary holds: its load tests, listed without running any.

use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};
use loadcase::__private::runner::ListedTest;
use loadcase::__private::runner::env;

use super::cargo::TestBinary;

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
