//! What `#[load_test]` registers about each test, for the harness and for `cargo loadrun --list`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::test::{HitFuture, Step, Test};

/// One hit, setup or teardown of a `#[load_test]`: the user's async function, boxed and
/// classified.
pub type HitFn = for<'a> fn(&'a mut Context) -> HitFuture<'a>;

/// A `#[load_test]` function, as the attribute describes it.
#[derive(Debug)]
pub struct LoadTest {
    /// `module_path!()` where it is defined; its first segment is the crate (the test target).
    pub module_path: &'static str,
    /// The function's name.
    pub name: &'static str,
    /// Source file.
    pub file: &'static str,
    /// Line of the function's name.
    pub line: u32,
    /// `server_url = "…"` of the attribute.
    pub server_url: Option<&'static str>,
    /// `thresholds("…", …)` of the attribute, as written.
    pub thresholds: &'static [&'static str],
    /// Runs one hit.
    pub hit: HitFn,
    /// `setup = f` of the attribute: runs once per virtual user before its first hit.
    pub setup: Option<HitFn>,
    /// `teardown = f` of the attribute: runs once per virtual user after its last hit.
    pub teardown: Option<HitFn>,
}

impl LoadTest {
    /// The name libtest knows it by: module path without the crate, then the function.
    pub fn test_name(&self) -> String {
        match self.module_path.split_once("::") {
            Some((_, rest)) => format!("{rest}::{}", self.name),
            None => self.name.to_owned(),
        }
    }

    /// `target::path::function`, as `cargo loadrun` takes it.
    pub fn path(&self) -> String {
        format!("{}::{}", self.module_path, self.name)
    }

    /// `file:line` of the function.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// The [`Test`] the engine runs.
    pub(crate) fn to_test(&self) -> Test {
        let step = |f: HitFn| -> Step { Arc::new(f) };
        Test::from_step(self.path(), self.location(), step(self.hit))
            .with_setup_step(self.setup.map(step))
            .with_teardown_step(self.teardown.map(step))
            .with_server_url(self.server_url.map(str::to_owned))
            .with_thresholds(self.thresholds.iter().map(|t| (*t).to_owned()).collect())
    }

    /// What `--list` shows about it.
    pub fn listing(&self) -> ListedTest {
        ListedTest {
            name: self.test_name(),
            file: self.file.to_owned(),
            line: self.line,
            server_url: self.server_url.map(str::to_owned),
            thresholds: self.thresholds.iter().map(|t| (*t).to_owned()).collect(),
        }
    }
}

/// A load test as the test binary reports it to `cargo loadrun --list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedTest {
    /// libtest name (no crate prefix).
    pub name: String,
    /// Source file, as `file!()` gives it (relative to the workspace root).
    pub file: String,
    /// Line of the function.
    pub line: u32,
    /// The attribute's server URL.
    pub server_url: Option<String>,
    /// The attribute's thresholds, as written.
    #[serde(default)]
    pub thresholds: Vec<String>,
}

/// Every `#[load_test]` of this process, in the order their constructors ran.
static REGISTERED: std::sync::Mutex<Vec<&'static LoadTest>> = std::sync::Mutex::new(Vec::new());

/// The load tests of this process (of its test binary), as their constructors registered them
/// before `main`: what a mix (`cargo loadrun a:3 b:1`) finds its other tests in. Empty on
/// platforms without such constructors.
pub fn registered() -> Vec<&'static LoadTest> {
    REGISTERED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// The registered load test that libtest knows as `name` (see [`LoadTest::test_name`]).
pub fn find(name: &str) -> Option<&'static LoadTest> {
    registered().into_iter().find(|t| t.test_name() == name)
}

/// Called from a constructor that `#[load_test]` emits, before `main`: registers the test (see
/// `registered`), and when `cargo loadrun` asks for a listing (`LOADCASE_LIST=file`), appends
/// it to that file. Listing this way needs no test to run, so listing never runs a user's plain
/// `#[test]`s.
pub fn announce(test: &'static LoadTest) {
    REGISTERED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(test);
    let Some(path) = std::env::var_os(crate::protocol::env::LIST) else {
        return;
    };
    let Ok(mut line) = serde_json::to_string(&test.listing()) else {
        return;
    };
    line.push('\n');
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    if let Ok(mut file) = file {
        // One write call per line: appends from one process do not interleave.
        let _ = std::io::Write::write_all(&mut file, line.as_bytes());
    }
}
