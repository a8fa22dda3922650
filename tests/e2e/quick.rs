//! Quick mode, `cargo loadrun --url URL`: the real runner in a directory with no cargo project
//! and with no cargo to run (`CARGO` points nowhere), against a counting server on loopback.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use loadcase_e2e::{Background, DemoServer, Run, finish, runner};

/// A directory of the test's own with no Cargo.toml, removed at the end.
struct NoProject(PathBuf);

impl NoProject {
    fn new(name: &str) -> NoProject {
        let dir =
            std::env::temp_dir().join(format!("loadcase-quick-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert!(
            dir.ancestors().all(|d| !d.join("Cargo.toml").exists()),
            "{} is inside a cargo project",
            dir.display()
        );
        NoProject(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }

    /// `cargo loadrun ARGS` run in this directory. Any attempt to run cargo would fail.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(runner());
        command
            .arg("loadrun")
            .args(args)
            .current_dir(&self.0)
            .env("CARGO", self.0.join("no-cargo-here"))
            .env_remove("LOADCASE_SERVER_URL")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        finish(self.command(args))
    }
}

impl Drop for NoProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn assert_usage_error(run: &Run, needle: &str) {
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains(needle), "missing `{needle}`:\n{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    assert!(!run.stdout.contains("Hits:"), "no load ran:\n{run}");
}

#[test]
fn users_times_hits_is_what_the_server_sees_without_a_cargo_project() {
    let server = DemoServer::start_local();
    let dir = NoProject::new("counts");
    let run = dir.run(&["--url", &server.url("/es"), "-u", "5", "-c", "20"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 100);
    assert_eq!(run.figure("Success"), 100);
    assert_eq!(run.requests()["GET /es"], (100, 0), "{run}");
    assert!(run.stdout.contains("  200: 100"), "{run}");
    assert_eq!(server.counts().by_route["GET /es"], 100);
    assert_eq!(server.counts().requests, 100);
    assert!(
        run.stderr
            .contains(&format!("GET {} · 100/100 hits", server.url("/es"))),
        "the progress names the request:\n{run}"
    );
    assert!(
        !dir.path(".loadcase").exists(),
        "no history is kept without --history"
    );
}

#[test]
fn the_body_and_headers_reach_the_server() {
    let server = DemoServer::start_local();
    let dir = NoProject::new("body");
    let body = r#"{"order":42}"#;
    let run = dir.run(&[
        "--url",
        &server.url("/echo"),
        "--data",
        body,
        "--header",
        "Content-Type: application/json",
        "--header",
        "X-Token:  secret-42 ",
        "-u",
        "2",
        "-c",
        "3",
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        run.requests()["POST /echo"],
        (6, 0),
        "POST with --data:\n{run}"
    );
    let echo = server.counts().echo;
    assert_eq!(echo.requests, 6);
    assert_eq!(
        echo.body_bytes,
        6 * body.len() as u64,
        "every request had it"
    );
    assert_eq!(echo.last_body, body);
    assert_eq!(echo.last_headers["content-type"], "application/json");
    assert_eq!(echo.last_headers["x-token"], "secret-42");

    // `@FILE` sends a file, relative to the current directory; --method is case-insensitive.
    std::fs::write(dir.path("order.json"), "from a file\n").unwrap();
    let run = dir.run(&[
        "--url",
        &server.url("/echo"),
        "--method",
        "post",
        "--data",
        "@order.json",
    ]);
    assert_eq!(run.code, 0, "{run}");
    let echo = server.counts().echo;
    assert_eq!(
        (echo.requests, echo.last_body.as_str()),
        (7, "from a file\n")
    );
}

#[test]
fn an_unexpected_status_fails_the_hit_and_names_both() {
    let server = DemoServer::start_local();
    let dir = NoProject::new("status");
    let run = dir.run(&[
        "--url",
        &server.url("/es"),
        "--expect-status",
        "201",
        "-u",
        "2",
        "-c",
        "5",
    ]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!((run.figure("Failures"), run.figure("Success")), (10, 0));
    assert_eq!(run.requests()["GET /es"], (10, 10), "{run}");
    assert!(
        run.stdout.contains(&format!(
            "10 occurrences of: GET {} returned 200 OK, expected 201",
            server.url("/es")
        )),
        "{run}"
    );
    assert_eq!(server.counts().requests, 10);

    let run = dir.run(&[
        "--url",
        &server.url("/status/202"),
        "--expect-status",
        "201,202",
        "-c",
        "3",
    ]);
    assert_eq!(run.code, 0, "an expected status succeeds:\n{run}");
    assert_eq!(run.figure("Success"), 3);

    let run = dir.run(&["--url", &server.url("/status/503"), "-c", "2"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Failures"), 2);
    assert!(run.stdout.contains("expected 2xx or 3xx"), "{run}");
}

#[test]
fn an_unreachable_server_is_counted_as_errors() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = NoProject::new("unreachable");
    let url = format!("http://127.0.0.1:{port}/api");
    let run = dir.run(&["--url", &url, "-u", "3", "-c", "4"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!((run.figure("Hits"), run.figure("Errors")), (12, 12));
    assert_eq!(run.requests()["GET /api"], (12, 12), "{run}");
    assert!(
        run.stdout.contains(&format!(
            "12 occurrences of: error sending request for url ({url})"
        )),
        "{run}"
    );
    assert!(run.stdout.contains(&format!("error at GET {url}")), "{run}");
}

#[test]
fn bad_input_exits_2_before_any_request() {
    let server = DemoServer::start_local();
    let url = server.url("/es");
    let dir = NoProject::new("inputs");
    for (args, needle) in [
        (
            &["--url", "127.0.0.1:8080/api"][..],
            "--url: `127.0.0.1:8080/api` has no scheme; write --url http://127.0.0.1:8080/api",
        ),
        (
            &["--url", "ftp://example.com/"],
            "is not an http:// or https:// URL",
        ),
        (&["--url", "http://"], "--url: `http://` is not a URL"),
        (
            &["--url", &url, "--method", "GE T"],
            "--method: `GE T` is not an HTTP method",
        ),
        (
            &["--url", &url, "--header", "X-Token abc"],
            "--header `X-Token abc` has no colon",
        ),
        (
            &["--url", &url, "--data", "@missing.json"],
            "--data @missing.json: cannot read the file `missing.json`",
        ),
        (
            &["--url", &url, "--expect-status", "42"],
            "invalid value '42' for '--expect-status <STATUS>'",
        ),
        (
            &["--url", &url, "example::test_es"],
            "'--url <URL>' cannot be used with '[TEST]...'",
        ),
        (
            &["--url", &url, "--list"],
            "'--url <URL>' cannot be used with '--list'",
        ),
        (
            &["--url", &url, "--compare", "last"],
            "quick mode keeps no run history unless you give one with --history PATH",
        ),
        (
            &["--url", &url, "--profile", "smoke"],
            "--profile smoke: no loadcase.toml in the current directory",
        ),
        (&["--url", &url, "-u", "0"], "--users: `0`"),
        (
            &["--url", &url, "--report", "out.txt"],
            "--report out.txt: unknown format",
        ),
        (
            &["example::test_es", "--data", "x"],
            "--data describes the request of quick mode and goes with --url URL",
        ),
    ] {
        assert_usage_error(&dir.run(args), needle);
    }
    assert_eq!(server.counts().requests, 0, "nothing was sent");
}

#[test]
fn reports_thresholds_and_profiles_work_as_for_a_test() {
    let server = DemoServer::start_local();
    let dir = NoProject::new("outputs");
    let url = server.url("/es");
    let run = dir.run(&[
        "--url",
        &url,
        "-u",
        "2",
        "-c",
        "3",
        "--report",
        "out.json",
        "--threshold",
        "GET /es: requests>=6",
        "--threshold",
        "hits>10",
    ]);
    assert_eq!(run.code, 3, "a broken threshold:\n{run}");
    assert!(run.stdout.contains("Thresholds: 1 met, 1 broken"), "{run}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("out.json")).unwrap()).unwrap();
    assert_eq!(report["test"], format!("quick::GET {url}"));
    assert_eq!(report["stats"]["hits"]["success"], 6);

    // --profile reads loadcase.toml in the current directory.
    std::fs::write(
        dir.path("loadcase.toml"),
        "[profile.smoke]\nusers = 3\nhits = 2\nthresholds = [\"hits>=6\"]\n",
    )
    .unwrap();
    let run = dir.run(&["--url", &url, "--profile", "smoke"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 6);
    assert!(run.stdout.contains("Thresholds: 1 met, 0 broken"), "{run}");
    assert_eq!(server.counts().requests, 12);
}

#[test]
fn history_only_with_a_file_given() {
    let server = DemoServer::start_local();
    let dir = NoProject::new("history");
    let file = dir.path("runs.sqlite").display().to_string();
    let url = server.url("/es");
    for _ in 0..2 {
        let run = dir.run(&["--url", &url, "-c", "2", "--history", &file]);
        assert_eq!(run.code, 0, "{run}");
    }
    let run = dir.run(&[
        "--url",
        &url,
        "-c",
        "2",
        "--history",
        &file,
        "--compare",
        "last",
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("Compared with run #2 of "), "{run}");
    let listed = dir.run(&["history", "--history", &file, "quick"]);
    assert_eq!(listed.code, 0, "{listed}");
    assert_eq!(
        listed.stdout.matches(&format!("quick::GET {url}")).count(),
        3,
        "{listed}"
    );
    assert!(!Path::new(&dir.path(".loadcase")).exists());
}

#[test]
fn ctrl_c_stops_with_what_ran() {
    let server = DemoServer::start_local();
    let dir = NoProject::new("interrupt");
    let url = server.url("/slow/20");
    let command = dir.command(&["--url", &url, "-u", "2", "-d", "10m"]);
    let background = Background::start_until(command, &format!("GET {url}"));
    background.interrupt();
    let (run, _) = background.finish();
    assert_eq!(run.code, 130, "{run}");
    assert!(
        run.stderr.contains("stopping: finishing running hits"),
        "{run}"
    );
    assert!(run.stdout.contains("Interrupted"), "{run}");
    assert!(run.figure("Hits") <= server.counts().requests, "{run}");
}

#[test]
fn a_profile_sets_a_rate_or_a_ramp_and_names_its_own_keys_when_they_are_wrong() {
    let server = DemoServer::start_local();
    let dir = NoProject::new("profile-shapes");
    let url = server.url("/es");
    let profiles = "\
[profile.open]
rate = \"40/s\"
duration = \"1s\"
max_users = 4
request_timeout = \"5s\"

[profile.ramped]
users = 4
hits = 3
ramp_up = \"300ms\"
ramp = \"random\"
think = \"10ms\"

[profile.bad_ramp]
users = 2
duration = \"1s\"
ramp_up = \"5s\"
";
    std::fs::write(dir.path("loadcase.toml"), profiles).unwrap();
    let open = dir.run(&["--url", &url, "--profile", "open"]);
    assert_eq!(open.code, 0, "{open}");
    assert!(open.stdout.contains("\nOpen model (--rate)\n"), "{open}");
    assert!(
        open.stdout
            .contains("planned --rate 40/s -d 1s --max-users 4 --request-timeout 5s)"),
        "{open}"
    );
    assert_eq!(open.figure("Hits"), 40, "1 s at 40/s: {open}");
    assert_eq!(server.counts().requests, 40);
    // A flag overrides the profile's option; the profile's others stay.
    let faster = dir.run(&["--url", &url, "--profile", "open", "--rate", "60/s"]);
    assert_eq!(faster.code, 0, "{faster}");
    assert!(
        faster
            .stdout
            .contains("planned --rate 60/s -d 1s --max-users 4"),
        "{faster}"
    );
    assert_eq!(server.counts().requests, 100);
    let ramped = dir.run(&["--url", &url, "--profile", "ramped"]);
    assert_eq!(ramped.code, 0, "{ramped}");
    assert_eq!(ramped.figure("Hits"), 12, "4 users × 3 hits: {ramped}");
    assert_eq!(server.counts().requests, 112);
    // The profile's keys and lines, not flags, where the values came from it.
    let bad = dir.run(&["--url", &url, "--profile", "bad_ramp"]);
    let ramp_up = "loadcase.toml:17 [profile.bad_ramp] ramp_up";
    let duration = "loadcase.toml:16 [profile.bad_ramp] duration";
    assert_usage_error(
        &bad,
        &format!(
            "{ramp_up} 5s is longer than each stage (1s); users would start after their stage ended. Give a shorter {ramp_up} or a longer {duration}"
        ),
    );
    assert!(!bad.stderr.contains("--ramp-up"), "{bad}");
    assert_eq!(server.counts().requests, 112, "the bad profile ran no load");
}
