//! Helpers of the end-to-end tests: the real `cargo loadrun` binary, run on the fixture package
//! against a counting server, and its summary read back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub use loadcase_examples::{Counts, DemoServer};

pub mod hostile;
pub mod prometheus;
pub mod webhook;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_owned()
}

/// The target directory of the workspace's build, as `cargo metadata` names it (it follows
/// `CARGO_TARGET_DIR` and cargo's configuration).
pub fn target_dir() -> &'static Path {
    static TARGET: OnceLock<PathBuf> = OnceLock::new();
    TARGET.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args(["metadata", "--format-version=1", "--no-deps"])
            .current_dir(workspace())
            .output()
            .expect("run cargo metadata");
        assert!(output.status.success(), "cargo metadata failed");
        let metadata: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("cargo metadata writes JSON");
        PathBuf::from(
            metadata["target_directory"]
                .as_str()
                .expect("cargo metadata names the target directory"),
        )
    })
}

/// Whether the environment variable `var` is `1`. `.ci/run` sets the `LOADCASE_REQUIRE_…`
/// variables, so that what a developer's machine may lack (cargo-nextest, free ports) makes a
/// test fail in CI instead of skipping.
pub fn required(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| v == "1")
}

/// Says that `test` skipped and why, on the process's stderr itself rather than through
/// `eprintln!`, which libtest captures: a plain `cargo test` shows the line. One write, so that
/// libtest's own lines cannot cut it.
pub fn skip(test: &str, why: &str) {
    use std::io::Write as _;
    let line = format!("{test}: skipped: {why}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// The `cargo-loadrun` binary: `LOADCASE_RUNNER` if set (CI builds it first), else built now.
pub fn runner() -> &'static Path {
    static RUNNER: OnceLock<PathBuf> = OnceLock::new();
    RUNNER.get_or_init(|| {
        if let Some(path) = std::env::var_os("LOADCASE_RUNNER") {
            return PathBuf::from(path);
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args([
                "build",
                "-p",
                "loadcase-runner",
                "--message-format=json-render-diagnostics",
            ])
            .current_dir(workspace())
            .stderr(Stdio::inherit())
            .output()
            .expect("run cargo build");
        assert!(
            output.status.success(),
            "cargo build -p loadcase-runner failed"
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|msg| msg.get("executable")?.as_str().map(PathBuf::from))
            .find(|exe| exe.file_name().is_some_and(|n| n == "cargo-loadrun"))
            .expect("cargo built cargo-loadrun")
    })
}

/// What one run of the runner did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// A `Label: value` line of the summary, as a number.
    pub fn figure(&self, label: &str) -> u64 {
        let prefix = format!("{label}: ");
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no `{label}` in:\n{self}"));
        line[prefix.len()..]
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("`{line}` is not a number"))
    }

    /// The request table: name → (count, errors).
    pub fn requests(&self) -> BTreeMap<String, (u64, u64)> {
        let mut rows = BTreeMap::new();
        let mut in_table = false;
        for line in self.stdout.lines() {
            if line.starts_with("Request ") {
                in_table = true;
                continue;
            }
            if in_table {
                let fields: Vec<&str> = line.split_whitespace().collect();
                if fields.len() < 11 {
                    break;
                }
                let name = fields[..fields.len() - 9].join(" ");
                let n = fields.len() - 9;
                rows.insert(
                    name,
                    (fields[n].parse().unwrap(), fields[n + 1].parse().unwrap()),
                );
            }
        }
        rows
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A runner command on the fixture package, in the dev profile (sharing the build of the
/// surrounding `cargo test`).
pub fn loadrun(args: &[&str]) -> Command {
    loadrun_in("tests/Cargo.toml", args)
}

/// A runner command on another package of the workspace. It records nothing in the run
/// history, so that tests do not depend on each other through a shared file; see
/// [`loadrun_recorded`].
pub fn loadrun_in(manifest: &str, args: &[&str]) -> Command {
    command(manifest, &["--no-history"], args)
}

/// A runner command that records its run in the history, as a user's would: pass `--history`
/// with a file of the test's own.
pub fn loadrun_recorded(manifest: &str, args: &[&str]) -> Command {
    command(manifest, &[], args)
}

fn command(manifest: &str, options: &[&str], args: &[&str]) -> Command {
    let mut command = Command::new(runner());
    command
        .arg("loadrun")
        .args(["--manifest-path", manifest, "--debug"])
        .args(options)
        .args(args)
        .current_dir(workspace())
        .env_remove("LOADCASE_SERVER_URL")
        .stdin(Stdio::null());
    command
}

/// `cargo loadrun history ARGS` to the end.
pub fn history(args: &[&str]) -> Run {
    let mut command = Command::new(runner());
    command
        .args(["loadrun", "history"])
        .args(args)
        .current_dir(workspace())
        .stdin(Stdio::null());
    finish(command)
}

/// Runs a command to the end.
pub fn finish(mut command: Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("run cargo-loadrun");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// `cargo loadrun ARGS` to the end.
pub fn run(args: &[&str]) -> Run {
    finish(loadrun(args))
}

/// Sends `kill -NAME` to `pid`.
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid}");
}

/// The children of `parent` with `argument` among their arguments (Linux's /proc).
pub fn children(parent: u32, argument: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| parent_of(pid) == Some(parent))
        .filter(|&pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|line| {
                line.split(|&b| b == 0)
                    .any(|arg| arg == argument.as_bytes())
            })
        })
        .collect()
}

/// The parent of `pid`, from the fields after the command's name in /proc/PID/stat.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Whether `pid` is still running: there, and not a zombie waiting to be reaped.
pub fn running(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rfind(')')
        .and_then(|end| stat[end + 1..].split_whitespace().next());
    !matches!(state, Some("Z" | "X") | None)
}

/// `command` run under `prefix` (`timeout -s INT 3`), with its environment.
pub fn under(prefix: &[&str], command: &Command) -> Command {
    let mut wrapped = Command::new(prefix[0]);
    wrapped
        .args(&prefix[1..])
        .arg(command.get_program())
        .args(command.get_args())
        .stdin(Stdio::null());
    if let Some(dir) = command.get_current_dir() {
        wrapped.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    wrapped
}

/// A directory of the test's own, removed at the end.
pub struct TempDir(PathBuf);

impl TempDir {
    /// `loadcase-e2e-PID-NAME` in the temporary directory, empty.
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("loadcase-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// `file` in it, as an argument.
    pub fn path(&self, file: &str) -> String {
        self.0.join(file).display().to_string()
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A runner started in the background, to be interrupted as a person at the terminal would.
pub struct Background {
    child: std::process::Child,
    stderr: std::io::BufReader<std::process::ChildStderr>,
    seen: String,
}

impl Background {
    /// Starts `command` and returns once a line of its stderr contains `marker`.
    pub fn start_until(mut command: Command, marker: &str) -> Background {
        use std::io::BufRead;
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("start cargo-loadrun");
        let mut stderr = std::io::BufReader::new(child.stderr.take().expect("piped"));
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).expect("read stderr") == 0 {
                panic!("the runner ended before printing `{marker}`:\n{seen}");
            }
            seen.push_str(&line);
            if line.contains(marker) {
                break;
            }
        }
        Background {
            child,
            stderr,
            seen,
        }
    }

    /// Sends SIGINT, as Ctrl-C does.
    pub fn interrupt(&self) {
        signal(self.child.id(), "INT");
    }

    /// The runner's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The test binary the runner is running now: its one child that runs `test` (the libtest
    /// name, without the target).
    pub fn test_binary(&self, test: &str) -> u32 {
        let children = children(self.pid(), test);
        assert_eq!(
            children.len(),
            1,
            "one test binary running {test}: {children:?}"
        );
        children[0]
    }

    /// Waits for the end; also returns how long that took.
    pub fn finish(mut self) -> (Run, std::time::Duration) {
        let started = std::time::Instant::now();
        let output = self.child.wait_with_output().expect("wait for the runner");
        let took = started.elapsed();
        std::io::Read::read_to_string(&mut self.stderr, &mut self.seen).expect("read stderr");
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: self.seen,
        };
        (run, took)
    }
}
