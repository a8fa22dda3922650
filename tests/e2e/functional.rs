//! Under `cargo test`, a load test is an ordinary test: it runs once and passes or fails with
//! its message.

use std::process::Command;

use loadcase_e2e::{DemoServer, required, skip, workspace};

fn cargo_test(test: &str, server: &DemoServer) -> (bool, String) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "test",
            "-q",
            "--manifest-path",
            "tests/Cargo.toml",
            "--test",
            "fixture",
            "--",
            "--ignored",
            "--exact",
            test,
        ])
        .env("LOADCASE_SERVER_URL", server.url(""))
        .current_dir(workspace())
        .output()
        .expect("run cargo test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn a_load_test_runs_once_under_cargo_test() {
    let server = DemoServer::start_local();
    let (passed, output) = cargo_test("cookies", &server);
    assert!(passed, "{output}");
    assert!(output.contains("1 passed"), "{output}");
    let counts = server.counts();
    assert_eq!(
        (counts.logins, counts.by_route["GET /whoami"]),
        (1, 1),
        "one user, one hit"
    );
}

#[test]
fn failures_and_errors_fail_the_test_with_their_message_and_line() {
    let server = DemoServer::start_local();
    let (passed, output) = cargo_test("always_fails", &server);
    assert!(!passed, "{output}");
    assert!(output.contains("the page lacks the words"), "{output}");
    assert!(output.contains("tests/fixture.rs:"), "{output}");

    let (passed, output) = cargo_test("always_errors", &server);
    assert!(!passed, "{output}");
    assert!(output.contains("error at tests/fixture.rs:"), "{output}");
    assert!(
        !output.contains("loadcase/src/"),
        "the failure points at the test, not into loadcase: {output}"
    );
    assert!(output.contains("No such file or directory"), "{output}");
}

/// Whether `cargo nextest` is a command here: cargo looks for `cargo-nextest` on PATH and in
/// `$CARGO_HOME/bin`, so asking cargo is the one true test.
fn nextest_installed(cargo: &std::ffi::OsStr) -> bool {
    Command::new(cargo)
        .args(["nextest", "--version"])
        .current_dir(workspace())
        .output()
        .is_ok_and(|output| output.status.success())
}

/// cargo-nextest is optional on a developer's machine: without it this test says it skipped,
/// unless `LOADCASE_REQUIRE_NEXTEST=1` (as `.ci/run` sets it), where it fails as it always did.
#[test]
fn cargo_nextest_runs_load_tests_as_ordinary_tests() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    if !nextest_installed(&cargo) && !required("LOADCASE_REQUIRE_NEXTEST") {
        skip(
            "cargo_nextest_runs_load_tests_as_ordinary_tests",
            "cargo-nextest is not installed (`cargo install --locked cargo-nextest` to run it; \
             LOADCASE_REQUIRE_NEXTEST=1 makes this a failure)",
        );
        return;
    }
    let server = DemoServer::start_local();
    let output = Command::new(cargo)
        .args([
            "nextest",
            "run",
            "--manifest-path",
            "tests/Cargo.toml",
            "--test",
            "fixture",
        ])
        .args([
            "--run-ignored",
            "only",
            "--no-fail-fast",
            "-E",
            "test(=cookies) | test(=always_fails)",
        ])
        .env("LOADCASE_SERVER_URL", server.url(""))
        .current_dir(workspace())
        .output()
        .expect("run cargo nextest (install it with `cargo install cargo-nextest`)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !text.contains("no such command"),
        "cargo-nextest is needed for this test: {text}"
    );
    assert!(!output.status.success(), "always_fails must fail: {text}");
    assert!(
        text.contains("PASS") && text.contains("fixture cookies"),
        "{text}"
    );
    assert!(
        text.contains("FAIL") && text.contains("the page lacks the words"),
        "{text}"
    );
    assert_eq!(server.counts().logins, 1, "cookies ran once");
}

#[test]
fn ignore_is_honoured_under_cargo_test() {
    let server = DemoServer::start_local();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "test",
            "--manifest-path",
            "tests/Cargo.toml",
            "--test",
            "fixture",
        ])
        .env("LOADCASE_SERVER_URL", server.url(""))
        .current_dir(workspace())
        .output()
        .expect("run cargo test");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("test cookies ... ignored, run through cargo loadrun by the e2e tests"),
        "{text}"
    );
    assert!(text.contains("0 passed; 0 failed;"), "{text}");
    assert_eq!(
        server.counts().requests,
        0,
        "an ignored load test sends nothing"
    );
}

#[test]
fn a_malformed_threshold_fails_cargo_test() {
    let server = DemoServer::start_local();
    let (passed, output) = cargo_test("malformed_threshold", &server);
    assert!(!passed, "{output}");
    assert!(
        output.contains("threshold `p95<200`: `200` has no unit"),
        "{output}"
    );
    assert!(
        output.contains("in thresholds(…) of #[load_test] at tests/fixture.rs:"),
        "{output}"
    );
    assert_eq!(server.counts().requests, 0, "the hit did not run");
}
