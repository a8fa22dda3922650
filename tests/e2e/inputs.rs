//! Bad input gets a clear message and exit code 2, never a panic.

use loadcase_e2e::{Run, run};

fn assert_usage_error(run: &Run, needles: &[&str]) {
    assert_eq!(run.code, 2, "{run}");
    for needle in needles {
        assert!(run.stderr.contains(needle), "missing `{needle}`:\n{run}");
    }
    assert!(!run.stderr.contains("panicked"), "{run}");
}

#[test]
fn malformed_schedules() {
    assert_usage_error(
        &run(&["fixture::get", "-u", "0"]),
        &["--users: `0`", "-u 10:20:30"],
    );
    assert_usage_error(
        &run(&["fixture::get", "-u", "10:x:30"]),
        &["`x` is not a number of users (in `10:x:30`)"],
    );
    assert_usage_error(
        &run(&["fixture::get", "-c", "-1"]),
        &["--hits: `-1` is not a number of hits"],
    );
    assert_usage_error(
        &run(&["fixture::get", "-d", "abc"]),
        &["--duration: `abc` is not a duration", "30s"],
    );
    assert_usage_error(
        &run(&["fixture::get", "--hits", "3", "-d", "5s"]),
        &["cannot be used with"],
    );
    assert_usage_error(
        &run(&["fixture::get", "--server-url", "ftp://x"]),
        &["--server-url", "http://"],
    );
    assert_usage_error(
        &run(&["fixture::get", "--server-url", "not a url"]),
        &["--server-url: `not a url` is not a URL"],
    );
    assert_usage_error(&run(&["--bogus-flag"]), &["--bogus-flag"]);
    assert_usage_error(&run(&[]), &["TEST"]);
}

#[test]
fn unknown_targets_and_tests_suggest_close_names() {
    assert_usage_error(
        &run(&["fixtrue::get"]),
        &["no test target named `fixtrue`; did you mean `fixture`?"],
    );
    assert_usage_error(
        &run(&["fixture::cookeis"]),
        &["no load test `fixture::cookeis`; did you mean `fixture::cookies`"],
    );
    assert_usage_error(&run(&["just_a_name"]), &["target::function"]);
    assert_usage_error(
        &run(&["fixture::not_a_load_test"]),
        &["no load test `fixture::not_a_load_test`"],
    );
    assert_usage_error(
        &run(&["-p", "nope", "fixture::get"]),
        &["package `nope` is not in this workspace"],
    );
}

#[test]
fn list_shows_load_tests_with_their_place_and_no_plain_tests() {
    let run = run(&["--list"]);
    assert_eq!(run.code, 0, "{run}");
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("fixture::cookies "))
        .unwrap_or_else(|| panic!("{run}"));
    assert!(
        line.trim_end()
            .ends_with(&format!("tests/fixture.rs:{}", line_of("async fn cookies"))),
        "{line}"
    );
    assert!(!run.stdout.contains("not_a_load_test"), "{run}");
    assert!(
        !run.stdout.contains("e2e::"),
        "the e2e tests are plain tests: {run}"
    );
}

fn line_of(needle: &str) -> usize {
    let source =
        std::fs::read_to_string(loadcase_e2e::workspace().join("tests/fixture.rs")).unwrap();
    source.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn same_named_targets_run_the_one_that_holds_the_test() {
    let in_bin = run(&["fixture::tests::in_bin", "-u", "2", "-c", "3"]);
    assert_eq!(in_bin.code, 0, "{in_bin}");
    assert!(
        in_bin.stdout.contains("Counters:\n  in the binary: 6"),
        "{in_bin}"
    );
    let listed = run(&["--list"]);
    assert!(listed.stdout.contains("fixture::tests::in_bin"), "{listed}");
    assert!(listed.stdout.contains("fixture::cookies"), "{listed}");
}

#[test]
fn list_never_starts_a_binary_that_is_not_a_libtest_binary_with_load_tests() {
    let marker =
        std::env::temp_dir().join(format!("loadcase-custom-harness-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let mut command = loadcase_e2e::loadrun(&["--list"]);
    command.env("CUSTOM_HARNESS_MARKER", &marker);
    let listed = loadcase_e2e::finish(command);
    assert_eq!(listed.code, 0, "{listed}");
    assert!(listed.stdout.contains("fixture::get"), "{listed}");
    assert!(!marker.exists(), "--list ran the harness = false target");
}

#[test]
fn bad_environment_variables_are_usage_errors() {
    let mut command = loadcase_e2e::loadrun(&["fixture::get", "-u", "1"]);
    command.env("LOADCASE_WORKER_THREADS", "0");
    assert_usage_error(
        &loadcase_e2e::finish(command),
        &["LOADCASE_WORKER_THREADS: `0` is not a number of threads"],
    );
    let mut command = loadcase_e2e::loadrun(&["fixture::get"]);
    command.env("LOADCASE_SERVER_URL", "nonsense");
    assert_usage_error(
        &loadcase_e2e::finish(command),
        &[
            "LOADCASE_SERVER_URL: `nonsense` has no scheme; write LOADCASE_SERVER_URL=http://nonsense",
        ],
    );
    // --server-url overrides the variable, which is then not in force and not checked.
    let server = loadcase_e2e::DemoServer::start_local();
    let mut command = loadcase_e2e::loadrun(&["fixture::get", "--server-url", &server.url("")]);
    command.env("LOADCASE_SERVER_URL", "nonsense");
    let run = loadcase_e2e::finish(command);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn a_bare_function_name_gets_its_full_paths() {
    assert_usage_error(
        &run(&["cookies"]),
        &[
            "target::function",
            "load tests named `cookies`: `fixture::cookies`",
        ],
    );
}

/// Values that were once let through, misexplained (clap's `-- -1` advice for a negative) or
/// refused only after the load: each is now exit 2 before anything runs, naming what is wrong.
#[test]
fn values_once_let_through_or_misexplained_are_refused_first() {
    for (args, needle) in [
        (&["--think", "-1s"][..], "--think: `-1s` is not a pause"),
        (
            &["--rate", "-5/s", "-d", "1s"],
            "--rate: `-5/s` is not a rate",
        ),
        (
            &["--rate", "5/s", "-d", "1s", "--max-users", "-1"],
            "--max-users: `-1` is not a number of users",
        ),
        (&["--stages", "-1@1s"], "--stages: `-1@1s`"),
        (
            &["--redact-header", ""],
            "--redact-header: the name is empty",
        ),
        (
            &["--redact-header", "bad name"],
            "--redact-header `bad name` is not a header name",
        ),
        (
            &["--rate", "5/s", "-d", "1s", "--max-delay", "0s"],
            "--max-delay: `0s` must last longer than zero",
        ),
        (&["--rate", "50/s", "-c", "10"], "(its length is -d"),
        (
            &["--stages", "5@1s", "--stage-pause", "1s"],
            "--stage-pause and --stages exclude each other",
        ),
        (
            &["--server-url", "127.0.0.1:8080"],
            "write --server-url http://127.0.0.1:8080 (or https://)",
        ),
        (
            &["-u", "10000000", "-c", "1"],
            "--users: 10000000 users at once would need up to",
        ),
        (
            &["--threshold", "error_rate<1"],
            "`1` is not a fraction from 0 to below 1 (1 would be 100 %)",
        ),
        (
            &["--report", "/proc/loadcase.json"],
            "--report /proc/loadcase.json: cannot write a file there",
        ),
    ] {
        let args = [&["fixture::get"][..], args].concat();
        let started = std::time::Instant::now();
        let run = run(&args);
        assert_usage_error(&run, &[needle]);
        assert!(!run.stderr.contains("-- -1"), "clap's advice: {run}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "refused before the build: {args:?}"
        );
    }
    let mut quick = std::process::Command::new(loadcase_e2e::runner());
    quick.args([
        "loadrun",
        "--url",
        "http://127.0.0.1:9/",
        "-u",
        "10000000",
        "-c",
        "1",
    ]);
    assert_usage_error(
        &loadcase_e2e::finish(quick),
        &[
            "--users: 10000000 users at once would need up to",
            "give at most",
        ],
    );
    assert_usage_error(
        &loadcase_e2e::history(&["--limit", "-1"]),
        &["`-1` is negative; write a whole number of runs"],
    );
}
