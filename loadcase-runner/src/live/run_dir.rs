//! A run's live state on disk, `.loadcase/runs/<id>/`: who runs it (`run.json`: the test, the
//! runner's pid, when it started), its cumulative snapshot rewritten atomically every second
//! (`snapshot.json`: the report so far and the latest progress), and, once it ends, its summary
//! and exit code (`summary.txt`, `done.json`). From it `ps` lists runs, `attach` follows one and
//! `stop` stops one; a directory whose runner died is stale, shown as such, and blocks nothing.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use loadcase::__private::runner::create_private;
use loadcase::{Progress, Report};
use serde::{Deserialize, Serialize};

/// Where runs keep their directories, under the workspace root.
pub const RUNS: &str = ".loadcase/runs";

/// What a run in the background printed on stdout.
pub const STDOUT: &str = "stdout.log";

/// Overrides where run directories go (a directory of its own per set of runs, e.g. a test's).
pub const RUNS_ENV: &str = "LOADCASE_RUNS";

/// Ended and stale run directories older than this are removed when a new run starts.
const KEEP: Duration = Duration::from_secs(7 * 24 * 3600);

/// The directory that holds the run directories: `LOADCASE_RUNS`, or [`RUNS`] under the cargo
/// workspace's root, or, outside any workspace (quick mode, an `--artifact` run), the user's
/// state directory — a run there leaves nothing in the current directory.
pub fn runs_dir(workspace: Option<&Path>) -> PathBuf {
    if let Some(dir) = std::env::var_os(RUNS_ENV).filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir);
    }
    match workspace {
        Some(root) => root.join(RUNS),
        None => state_dir().join("loadcase").join("runs"),
    }
}

/// `$XDG_STATE_HOME`, or `~/.local/state`, or the temporary directory without a home.
fn state_dir() -> PathBuf {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("XDG_STATE_HOME")
        .or_else(|| var("HOME").map(|home| home.join(".local").join("state")))
        .unwrap_or_else(std::env::temp_dir)
}

/// Who runs a run, and what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The run's id: its directory's name.
    pub id: String,
    /// The test (or mix), as the summary names it.
    pub test: String,
    /// The runner's process id.
    pub pid: u32,
    /// When it started, in milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
    /// The plan, as its options.
    pub plan: String,
}

/// The cumulative state of a running run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    /// The latest progress.
    pub progress: Option<Progress>,
    /// The report so far.
    pub report: Report,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    /// Its exit code.
    pub exit_code: u8,
}

/// Where a run stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Its runner is alive.
    Running,
    /// It ended, with this exit code.
    Done(u8),
    /// Its runner is gone without saying how it ended.
    Stale,
}

/// One run's directory.
#[derive(Clone, Debug)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates the directory of a new run in `runs` (user-only), named `id` or a new id, and
    /// says who runs it.
    pub fn create(runs: &Path, id: Option<&str>, test: &str, plan: &str) -> Result<RunDir> {
        create_private_dir(runs)?;
        prune(runs);
        let started_unix_ms = now_ms();
        let pid = std::process::id();
        let id = id.map_or_else(|| new_id(started_unix_ms, pid), str::to_owned);
        let path = runs.join(&id);
        create_private_dir(&path)?;
        let dir = RunDir { path };
        dir.write_json(
            "run.json",
            &RunInfo {
                id,
                test: test.to_owned(),
                pid,
                started_unix_ms,
                plan: plan.to_owned(),
            },
        )?;
        Ok(dir)
    }

    /// The run directory at `path`.
    pub fn at(path: PathBuf) -> RunDir {
        RunDir { path }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who runs it.
    pub fn info(&self) -> Result<RunInfo> {
        self.read_json("run.json")
    }

    /// Rewrites the snapshot, atomically: a reader sees the last one whole, never half of one.
    pub fn write_snapshot(&self, report: &Report, progress: Option<&Progress>) -> Result<()> {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            progress: Option<&'a Progress>,
            report: &'a Report,
        }
        self.write_json("snapshot.json", &Borrowed { progress, report })
    }

    /// Rewrites the newest progress, atomically, between snapshots.
    pub fn write_progress(&self, progress: &Progress) -> Result<()> {
        self.write_json("progress.json", progress)
    }

    /// The newest progress: of the last tick, or of the last snapshot.
    pub fn progress(&self) -> Option<Progress> {
        self.read_json("progress.json")
            .ok()
            .or_else(|| self.snapshot()?.progress)
    }

    /// The latest snapshot, if one was written.
    pub fn snapshot(&self) -> Option<Snapshot> {
        self.read_json("snapshot.json").ok()
    }

    /// Says how the run ended: its summary and exit code.
    pub fn finish(&self, summary: &str, exit_code: u8) -> Result<()> {
        write_private(&self.path.join("summary.txt"), summary.as_bytes())?;
        self.write_json("done.json", &Done { exit_code })
    }

    /// Everything an ended run printed on stdout, when it ran in the background (its summary,
    /// a comparison, the pushes); the summary alone otherwise.
    pub fn printed(&self) -> Option<String> {
        fs::read_to_string(self.path.join(STDOUT))
            .ok()
            .filter(|text| !text.is_empty())
            .or_else(|| self.summary())
    }

    /// The summary of an ended run.
    pub fn summary(&self) -> Option<String> {
        fs::read_to_string(self.path.join("summary.txt")).ok()
    }

    /// Where it stands.
    pub fn state(&self) -> State {
        if let Ok(done) = self.read_json::<Done>("done.json") {
            return State::Done(done.exit_code);
        }
        match self.info() {
            Ok(info) if alive(info.pid) => State::Running,
            _ => State::Stale,
        }
    }

    fn write_json<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let bytes = serde_json::to_vec(value).context("cannot write a run's state as JSON")?;
        write_private(&self.path.join(name), &bytes)
    }

    fn read_json<T: for<'de> Deserialize<'de>>(&self, name: &str) -> Result<T> {
        let path = self.path.join(name);
        let text = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_slice(&text)
            .with_context(|| format!("{} is not a run's state", path.display()))
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A new run's id: sortable by start, unique by process.
pub fn new_id(started_unix_ms: u64, pid: u32) -> String {
    format!("{}-{pid}", started_unix_ms / 1000)
}

/// Every run in `runs`, newest first, with where each stands.
pub fn list(runs: &Path) -> Vec<(RunDir, RunInfo, State)> {
    let Ok(entries) = fs::read_dir(runs) else {
        return Vec::new();
    };
    let mut runs: Vec<(RunDir, RunInfo, State)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let dir = RunDir { path: entry.path() };
            let info = dir.info().ok()?;
            let state = dir.state();
            Some((dir, info, state))
        })
        .collect();
    runs.sort_by_key(|run| std::cmp::Reverse(run.1.started_unix_ms));
    runs
}

/// Removes the ended and stale runs older than [`KEEP`]: a run that died leaves its directory
/// for `ps` to show, but not for ever.
fn prune(runs: &Path) {
    let before = now_ms().saturating_sub(KEEP.as_millis() as u64);
    for (dir, info, state) in list(runs) {
        if state != State::Running && info.started_unix_ms < before {
            let _ = fs::remove_dir_all(dir.path());
        }
    }
}

/// Whether process `pid` is alive.
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        // Signal 0 checks that the process exists (and could be signalled) without touching it.
        let Ok(pid) = i32::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 sends nothing; it only asks whether `pid` exists.
        let result = unsafe { libc::kill(pid, 0) };
        let exists =
            result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        exists && !zombie(pid)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Whether `pid` has ended and waits to be reaped: a detached runner's parent is gone, and where
/// nothing reaps orphans (a container's init may not), it stays a zombie that signal 0 still finds.
fn zombie(pid: i32) -> bool {
    // The state is the first field after the command's closing parenthesis.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            rest.split_whitespace()
                .next()
                .map(|state| matches!(state, "Z" | "X"))
        })
        .unwrap_or(false)
}

/// Asks run `info`'s runner to stop as Ctrl-C would: the same summary, reports and history.
pub fn stop(info: &RunInfo) -> Result<()> {
    #[cfg(unix)]
    {
        let pid = i32::try_from(info.pid).context("the run's pid is out of range")?;
        // SAFETY: sends SIGINT to the run's own runner, whose handler stops the run gracefully.
        if unsafe { libc::kill(pid, libc::SIGINT) } != 0 {
            return Err(std::io::Error::last_os_error()).with_context(|| {
                format!("cannot signal the runner of run {} (pid {pid})", info.id)
            });
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        anyhow::bail!(
            "stopping a run from another terminal needs signals, which this platform lacks; press Ctrl-C where it runs"
        )
    }
}

pub fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Writes `bytes` to `path` through a temporary file renamed over it, readable by the user only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let written = create_private(&tmp)
        .and_then(|mut file| file.write_all(bytes))
        .and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("loadcase-runs-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_run_leaves_its_state_for_ps_and_attach() {
        let root = scratch("state");
        let dir = RunDir::create(&root, None, "t::x", "-u 2 -c 5").unwrap();
        assert_eq!(dir.state(), State::Running, "this process is its runner");
        let mut report = Report::default();
        report.stats.hits.success = 3;
        dir.write_snapshot(&report, None).unwrap();
        assert_eq!(dir.snapshot().unwrap().report.stats.hits.success, 3);
        let runs = list(&root);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].1.test, "t::x");
        dir.finish("Hits: 3\n", 0).unwrap();
        assert_eq!(dir.state(), State::Done(0));
        assert_eq!(dir.summary().as_deref(), Some("Hits: 3\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(dir.path()), 0o700);
            assert_eq!(mode(&dir.path().join("snapshot.json")), 0o600);
        }
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_run_whose_runner_died_is_stale() {
        let root = scratch("stale");
        let dir = RunDir::create(&root, None, "t::x", "-u 1").unwrap();
        let mut info = dir.info().unwrap();
        // A pid no process has: beyond the kernel's limit.
        info.pid = 4_194_304 + 7;
        dir.write_json("run.json", &info).unwrap();
        assert_eq!(dir.state(), State::Stale);
        fs::remove_dir_all(&root).unwrap();
    }
}
