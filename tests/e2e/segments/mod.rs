//! A plan split over several processes, through the real runner: segments run from an artifact
//! that `cargo loadrun build` made (as on a cluster node without cargo) or through cargo, merged
//! by `cargo loadrun merge`, every count checked against the counting server. Kubernetes is
//! played by N local processes with `JOB_COMPLETION_INDEX` set; Slurm runs for real when it is
//! installed.

mod faults;
mod flows;
mod kinds;
mod kubernetes;
mod slurm;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use loadcase_e2e::{DemoServer, Run, finish, runner, target_dir, workspace};

/// What every split run of these tests has: a counting server, the artifact of the test's
/// target, and a fresh directory for the segments' reports.
struct Split {
    server: DemoServer,
    dir: PathBuf,
    reports: PathBuf,
    url: String,
}

/// A split run of `test` (whose target the artifact is built for), named `name`.
fn split(test: &str, name: &str) -> Split {
    let server = DemoServer::start_local();
    let url = server.url("");
    Split {
        server,
        dir: artifact(test),
        reports: reports_dir(name),
        url,
    }
}

/// Every segment ran its share: a segment exits 0 whatever its hits did.
fn all_ran(runs: &[Run]) {
    for (k, run) in runs.iter().enumerate() {
        assert_eq!(run.code, 0, "segment {}: {run}", k + 1);
    }
}

/// An artifact directory of `test`'s target, built once per test process.
fn artifact(test: &str) -> PathBuf {
    static BUILT: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let target = test.split("::").next().expect("target::test");
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = built.get(target) {
        return dir.clone();
    }
    let dir = target_dir()
        .join("loadcase-e2e")
        .join(format!("artifact-{target}-{}", std::process::id()));
    let run = finish({
        let mut command = Command::new(runner());
        command
            .args(["loadrun", "build", test, "--out"])
            .arg(&dir)
            .args(["--manifest-path", "tests/Cargo.toml", "--debug", "-q"])
            .current_dir(workspace())
            .stdin(Stdio::null());
        command
    });
    assert_eq!(run.code, 0, "cargo loadrun build {test}: {run}");
    built.insert(target.to_owned(), dir.clone());
    dir
}

/// A fresh directory for one test's reports.
fn reports_dir(name: &str) -> PathBuf {
    let dir = target_dir()
        .join("loadcase-e2e")
        .join(format!("segments-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the reports' directory");
    dir
}

/// Unix seconds `lead` seconds from now: a start time every segment can be ready for.
fn start_in(lead: u64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    (now.as_secs() + lead).to_string()
}

/// One segment run from `dir`'s artifact with its runner copy, as a node without cargo runs it,
/// in `cwd`: `args` are the test and the plan.
fn from_artifact(dir: &Path, cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(dir.join("cargo-loadrun"));
    command
        .arg("--artifact")
        .arg(dir)
        .args(args)
        .arg("-q")
        .current_dir(cwd)
        .env_remove("LOADCASE_SERVER_URL")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("SLURM_PROCID")
        .env_remove("SLURM_NTASKS")
        .stdin(Stdio::null());
    without_toolchain(&mut command);
    command
}

/// As on a cluster node: no cargo or rustc on the PATH, and none named by cargo's variables, so
/// that a run from an artifact that reached for the toolchain fails.
fn without_toolchain(command: &mut Command) {
    command
        .env("PATH", "/usr/bin:/bin")
        .env("CARGO_HOME", "/nonexistent/cargo-home")
        .env("RUSTUP_HOME", "/nonexistent/rustup-home");
    for var in ["CARGO", "RUSTC", "RUSTUP_TOOLCHAIN", "CARGO_MANIFEST_DIR"] {
        command.env_remove(var);
    }
}

/// Runs every command at once and waits for all of them.
fn run_all(commands: Vec<Command>) -> Vec<Run> {
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut command| {
            command
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a segment")
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("wait for a segment");
            Run {
                code: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        })
        .collect()
}

/// The `n` segments of a Kubernetes Indexed Job, played by local processes: each gets its
/// `JOB_COMPLETION_INDEX` and the same arguments, `--segments n` among them.
fn indexed_job(dir: &Path, reports: &Path, n: u32, args: &[&str]) -> Vec<Run> {
    let segments = n.to_string();
    run_all(
        (0..n)
            .map(|index| {
                let mut command = from_artifact(dir, reports, args);
                command
                    .args(["--segments", &segments, "--report"])
                    .arg(reports.join("seg-{segment}.json"))
                    .env("JOB_COMPLETION_INDEX", index.to_string());
                command
            })
            .collect(),
    )
}

/// `cargo loadrun merge ARGS` in the workspace, recording nothing.
fn merge(args: &[&str]) -> Run {
    let mut command = Command::new(runner());
    command
        .args(["loadrun", "merge"])
        .args(args)
        .arg("--no-history")
        .current_dir(workspace())
        .stdin(Stdio::null());
    finish(command)
}

/// A segment's JSON report, as a value.
fn json(path: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The seconds of the merge's `Start skew between segments:` line.
fn start_skew(merge: &Run) -> f64 {
    let line = merge
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Start skew between segments: "))
        .unwrap_or_else(|| panic!("no start skew in:\n{merge}"));
    line.split('s')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("`{line}` does not start with seconds"))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}
