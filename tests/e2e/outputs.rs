//! Where a run's results go: every output path checked before the load, files of run data
//! readable by their owner only, and a full disk said plainly with exit code 2 and nothing half
//! written left behind.

use std::path::Path;
use std::time::{Duration, Instant};

use loadcase_e2e::{DemoServer, TempDir, finish, loadrun_recorded, run, skip};

/// `fixture::get` with `-u 2 -c 5` against `server` and `more` options.
fn get(server: &DemoServer, more: &[&str]) -> loadcase_e2e::Run {
    let url = server.url("");
    let mut args = vec!["fixture::get", "-u", "2", "-c", "5", "--server-url", &url];
    args.extend(more);
    run(&args)
}

#[test]
fn an_output_that_cannot_be_written_is_refused_before_the_load() {
    let server = DemoServer::start_local();
    let dir = TempDir::new("bad-outputs");
    let cases = [
        (
            vec!["--report", "/proc/loadcase-e2e.json"],
            "--report /proc/loadcase-e2e.json: cannot write a file there",
        ),
        (
            vec!["--report", "/proc/x/y/r.html"],
            "--report /proc/x/y/r.html: cannot create the directory /proc/x",
        ),
        (
            vec!["--log-requests", "/proc/loadcase-e2e.jsonl"],
            "--log-requests /proc/loadcase-e2e.jsonl: cannot write a file there",
        ),
    ];
    for (args, message) in cases {
        let started = Instant::now();
        let refused = get(&server, &args);
        assert_eq!(refused.code, 2, "{refused}");
        assert!(refused.stderr.contains(message), "{message}: {refused}");
        assert!(started.elapsed() < Duration::from_secs(30), "{refused}");
    }
    // A directory where the report's file should be.
    let taken = dir.path("taken.json");
    std::fs::create_dir(&taken).unwrap();
    let refused = get(&server, &["--report", &taken]);
    assert_eq!(refused.code, 2, "{refused}");
    assert!(refused.stderr.contains("is a directory"), "{refused}");
    assert_eq!(server.counts().requests, 0, "no load ran");
}

#[cfg(unix)]
#[test]
fn reports_request_logs_and_the_history_are_their_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let server = DemoServer::start_local();
    let dir = TempDir::new("modes");
    let history = dir.dir().join(".loadcase/history.sqlite");
    let reports = ["r.json", "r.html", "r.xml", "r.csv"].map(|f| dir.path(f));
    let log = dir.path("r.jsonl");
    let url = server.url("");
    let mut args = vec!["fixture::get", "-c", "3", "--server-url", &url];
    let history_arg = history.display().to_string();
    args.extend(["--history", &history_arg, "--log-requests", &log]);
    for report in &reports {
        args.extend(["--report", report]);
    }
    let ran = finish(loadrun_recorded("tests/Cargo.toml", &args));
    assert_eq!(ran.code, 0, "{ran}");
    for file in reports.iter().chain([&log]) {
        assert_eq!(mode(Path::new(file)), 0o600, "{file}");
    }
    let own = history.parent().unwrap();
    assert_eq!(mode(own), 0o700);
    for name in ["history.sqlite", "history.sqlite-wal", "history.sqlite-shm"] {
        let file = own.join(name);
        if file.exists() || name == "history.sqlite" {
            assert_eq!(mode(&file), 0o600, "{name}");
        }
    }
    let ignore = std::fs::read_to_string(own.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|line| line == "*"), "{ignore}");
}

#[cfg(unix)]
#[test]
fn a_request_log_on_a_full_device_is_exit_2_with_no_phantom_problem() {
    // /dev/full takes the open and refuses every write with ENOSPC, as a full disk does.
    let server = DemoServer::start_local();
    let dir = TempDir::new("full-log");
    let log = dir.dir().join("r.jsonl");
    std::os::unix::fs::symlink("/dev/full", &log).unwrap();
    let full = get(&server, &["--log-requests", &log.display().to_string()]);
    assert_eq!(full.code, 2, "{full}");
    assert!(
        full.stderr.contains(&format!(
            "--log-requests: the request log is incomplete: cannot write {}: No space left on device",
            log.display()
        )),
        "{full}"
    );
    assert!(
        full.stderr.contains("it holds the first 0 requests"),
        "{full}"
    );
    assert!(
        !full.stdout.contains("request log"),
        "not a problem of the hits: {full}"
    );
    assert!(!full.stdout.contains("unknown location"), "{full}");
    // The load itself was whole.
    assert_eq!(full.figure("Hits"), 10);
    assert_eq!(full.figure("Success"), 10);
    assert_eq!(server.counts().requests, 10);
}

/// A 64 KiB tmpfs at a directory of its own, unmounted when dropped; `None` where this process
/// may not mount one (not root, no mount(8)).
struct Tmpfs(TempDir);

impl Tmpfs {
    fn mount(name: &str) -> Option<Tmpfs> {
        let dir = TempDir::new(name);
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.dir())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(Tmpfs(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.dir())
            .status();
    }
}

#[test]
fn reports_and_a_request_log_on_a_full_disk_are_exit_2_and_leave_no_temporary_files() {
    let test = "reports_and_a_request_log_on_a_full_disk_are_exit_2_and_leave_no_temporary_files";
    let Some(disk) = Tmpfs::mount("full-disk") else {
        skip(
            test,
            "cannot mount a tmpfs here (it needs root and mount(8))",
        );
        return;
    };
    let server = DemoServer::start_local();
    let (html, log) = (disk.0.path("r.html"), disk.0.path("r.jsonl"));
    let url = server.url("");
    // Enough requests for a log larger than the disk; the HTML report alone is larger too.
    let full = run(&[
        "fixture::get",
        "-u",
        "10",
        "-c",
        "200",
        "--server-url",
        &url,
        "--report",
        &html,
        "--log-requests",
        &log,
    ]);
    assert_eq!(full.code, 2, "{full}");
    assert!(
        full.stderr
            .contains(&format!("cannot write the report {html}")),
        "{full}"
    );
    assert!(
        full.stderr
            .contains("--log-requests: the request log is incomplete: cannot write"),
        "{full}"
    );
    assert!(full.stderr.contains("No space left on device"), "{full}");
    assert_eq!(full.figure("Hits"), 2000);
    assert_eq!(server.counts().requests, 2000);
    let left: Vec<String> = std::fs::read_dir(disk.0.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left.iter().any(|name| name.ends_with(".tmp")),
        "a temporary file is left: {left:?}"
    );
    assert!(!Path::new(&html).exists(), "no half report: {left:?}");
    // What the log holds, counted in the file: the whole lines that fit.
    let text = std::fs::read(&log).unwrap();
    let whole = text.iter().filter(|&&b| b == b'\n').count();
    assert!(whole > 0, "the disk took some lines");
    assert!(
        full.stderr
            .contains(&format!("it holds the first {whole} requests;")),
        "{whole} lines: {full}"
    );
}
