//! What a person sees: a progress bar on a terminal, status lines in a log, nothing with -q.

use std::process::Command;

use loadcase_e2e::{DemoServer, run, runner, workspace};

#[test]
fn a_terminal_gets_a_progress_bar_over_all_stages() {
    let server = DemoServer::start_local();
    // `script` runs the runner on a pseudo-terminal, as a person would see it.
    let command = format!(
        "{} loadrun --manifest-path tests/Cargo.toml --debug fixture::slow -u 2:3 -c 10 --server-url {}",
        runner().display(),
        server.url("")
    );
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(workspace())
        .env("TERM", "xterm")
        .env_remove("LOADCASE_SERVER_URL")
        .output()
        .expect("run script(1) from util-linux");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    // The bar's template is `[elapsed] ===>  pos/len hits  status`; status lines look otherwise.
    assert!(
        text.contains("/50 hits  stage 1/2"),
        "the bar counts the hits of all stages: {text}"
    );
    assert!(
        text.contains("/50 hits  stage 2/2"),
        "the bar follows the stages: {text}"
    );
    assert!(
        !text.contains("fixture::slow ·"),
        "no status lines on a terminal: {text}"
    );
    assert!(text.contains("Hits: 50"), "{text}");
    assert_eq!(server.counts().requests, 50);
}

#[test]
fn a_log_gets_status_lines_and_quiet_gets_none() {
    let server = DemoServer::start_local();
    let logged = run(&[
        "fixture::slow",
        "-u",
        "2:3",
        "-c",
        "4",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(logged.code, 0, "{logged}");
    let lines: Vec<&str> = logged
        .stderr
        .lines()
        .filter(|l| l.contains("fixture::slow ·"))
        .collect();
    assert!(lines.iter().any(|l| l.contains("stage 1/2")), "{logged}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("stage 2/2") && l.contains("/20 hits")),
        "{logged}"
    );
    let quiet = run(&[
        "fixture::slow",
        "-u",
        "2",
        "-c",
        "2",
        "-q",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(quiet.code, 0, "{quiet}");
    assert!(!quiet.stderr.contains("fixture::slow ·"), "{quiet}");
    assert_eq!(quiet.figure("Hits"), 4);
}
