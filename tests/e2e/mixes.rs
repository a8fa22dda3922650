//! Mixes of tests by weight, and per-user setup and teardown: the real `cargo loadrun` on the
//! fixture tests of `tests/mixes.rs`, checked against what the counting server received; and
//! the same tests under `cargo test`.

use std::process::Command;

use loadcase_e2e::{DemoServer, Run, finish, run, workspace};

/// `cargo loadrun ARGS --server-url SERVER` to the end.
fn loadrun(server: &DemoServer, args: &[&str]) -> Run {
    let url = server.url("");
    let mut all = args.to_vec();
    all.extend(["--server-url", url.as_str()]);
    run(&all)
}

/// The block of the summary about one test of a mix: from its header line to the next blank
/// line.
fn block<'r>(run: &'r Run, header: &str) -> &'r str {
    let start = run
        .stdout
        .find(&format!("\n{header}\n"))
        .unwrap_or_else(|| panic!("no `{header}` block in:\n{run}"))
        + 1;
    let rest = &run.stdout[start..];
    &rest[..rest.find("\n\n").unwrap_or(rest.len())]
}

/// A row of a request table inside a test's block: (count, errors).
fn row(block: &str, name: &str) -> (u64, u64) {
    let line = block
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no row `{name}` in:\n{block}"));
    let fields: Vec<u64> = line[name.len()..]
        .split_whitespace()
        .take(2)
        .map(|f| f.parse().unwrap())
        .collect();
    (fields[0], fields[1])
}

#[test]
fn each_user_runs_one_test_of_the_mix_by_weight() {
    let server = DemoServer::start_local();
    let run = loadrun(
        &server,
        &[
            "mixes::browse:3",
            "mixes::checkout:1",
            "-u",
            "100",
            "-c",
            "2",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    // 75 users browse and 25 check out, exactly: every 4 consecutive users hold 3 and 1.
    let counts = server.counts();
    assert_eq!(counts.by_route["GET /"], 150);
    assert_eq!(counts.by_route["GET /es"], 50);
    assert_eq!(counts.requests, 200);
    assert_eq!(run.figure("Hits"), 200);
    assert_eq!(run.figure("Success"), 200);

    let browse = block(&run, "mixes::browse (weight 3 of 4)");
    assert!(
        browse.contains("\n  Hits: 150 (success 150, errors 0, failures 0)\n"),
        "{run}"
    );
    assert!(browse.contains("\n  Hit time: p50 "), "{run}");
    assert_eq!(row(browse, "GET /"), (150, 0), "{run}");
    assert!(!browse.contains("GET /es"), "{run}");
    let checkout = block(&run, "mixes::checkout (weight 1 of 4)");
    assert!(
        checkout.contains("\n  Hits: 50 (success 50, errors 0, failures 0)\n"),
        "{run}"
    );
    assert_eq!(row(checkout, "GET /es"), (50, 0), "{run}");
    // Then the whole run, in the usual table.
    assert!(run.stdout.contains("\nAll tests together:\n"), "{run}");
    assert_eq!(run.requests()["GET /"], (150, 0), "{run}");
    assert_eq!(run.requests()["GET /es"], (50, 0), "{run}");
    // No setup or teardown ran: no line about them.
    assert!(!run.stdout.contains("Setup:"), "{run}");
    assert!(!run.stdout.contains("Teardown:"), "{run}");
}

#[test]
fn setup_runs_once_per_user_before_its_hits_and_teardown_once_after() {
    let server = DemoServer::start_local();
    let run = loadrun(&server, &["mixes::logged_in", "-u", "7", "-c", "3"]);
    assert_eq!(run.code, 0, "{run}");
    let counts = server.counts();
    assert_eq!(counts.logins, 7, "one login per user");
    // Every hit checked that the cookie names its own user.
    assert_eq!(counts.by_route["GET /whoami"], 21);
    assert_eq!(counts.by_route["POST /logout"], 7, "one logout per user");
    assert_eq!(run.figure("Hits"), 21, "setups and teardowns are not hits");
    assert_eq!(run.figure("Success"), 21);
    assert!(
        run.stdout.contains("\nSetup: 7 ran, 7 ok, 0 failed · p50 "),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("\nTeardown: 7 ran, 7 ok, 0 failed · p50 "),
        "{run}"
    );
    assert!(!run.stdout.contains("Hits not run"), "{run}");
    assert!(
        !run.stdout.contains("Per test"),
        "one test is no mix: {run}"
    );
    // Their requests are measured as any other.
    assert_eq!(run.requests()["POST /login"], (7, 0), "{run}");
    assert_eq!(run.requests()["POST /logout"], (7, 0), "{run}");
}

#[test]
fn a_failed_setup_keeps_its_users_hits_from_running_and_fails_the_run() {
    let server = DemoServer::start_local();
    let run = loadrun(&server, &["mixes::even_users_only", "-u", "6", "-c", "2"]);
    assert_eq!(run.code, 1, "{run}");
    let counts = server.counts();
    assert_eq!(counts.logins, 3, "users 0, 2 and 4");
    assert_eq!(counts.by_route["GET /whoami"], 6, "their hits only");
    assert_eq!(
        counts.by_route["POST /logout"], 3,
        "no teardown after a failed setup"
    );
    assert_eq!(run.figure("Hits"), 6);
    assert_eq!(run.figure("Success"), 6, "every hit that ran succeeded");
    assert!(
        run.stdout.contains("\nSetup: 6 ran, 3 ok, 3 failed · p50 "),
        "{run}"
    );
    assert!(
        run.stdout.contains("\nHits not run (setup failed): 6\n"),
        "{run}"
    );
    assert!(
        run.stdout.contains("\nTeardown: 3 ran, 3 ok, 0 failed"),
        "{run}"
    );
    assert!(
        run.stdout.contains(
            "3 occurrences of: setup: odd users may not log in\n    failure at tests/mixes.rs:"
        ),
        "the reason, with where it was raised: {run}"
    );
}

#[test]
fn a_failed_teardown_fails_the_run_though_every_hit_succeeded() {
    let server = DemoServer::start_local();
    let run = loadrun(&server, &["mixes::teardown_fails", "-u", "2", "-c", "2"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Success"), 4, "{run}");
    assert_eq!(server.counts().by_route["GET /status/500"], 2);
    assert!(
        run.stdout.contains("\nTeardown: 2 ran, 0 ok, 2 failed"),
        "{run}"
    );
    assert!(run.stdout.contains("2 occurrences of: teardown: "), "{run}");
}

#[test]
fn setup_and_teardown_work_inside_a_mix_for_their_test_only() {
    let server = DemoServer::start_local();
    let run = loadrun(
        &server,
        &[
            "mixes::checkout:1",
            "mixes::logged_in:1",
            "-u",
            "8",
            "-c",
            "2",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    let counts = server.counts();
    assert_eq!(counts.logins, 4, "the 4 users of logged_in");
    assert_eq!(counts.by_route["GET /whoami"], 8);
    assert_eq!(counts.by_route["GET /es"], 8);
    assert_eq!(counts.by_route["POST /logout"], 4);
    let logged_in = block(&run, "mixes::logged_in (weight 1 of 2)");
    assert!(
        logged_in.contains("\n  Setup: 4 ran, 4 ok, 0 failed"),
        "{run}"
    );
    assert!(
        logged_in.contains("\n  Teardown: 4 ran, 4 ok, 0 failed"),
        "{run}"
    );
    assert_eq!(row(logged_in, "POST /login"), (4, 0), "{run}");
    let checkout = block(&run, "mixes::checkout (weight 1 of 2)");
    assert!(!checkout.contains("Setup"), "{run}");
    assert!(
        run.stdout.contains("\nSetup: 4 ran, 4 ok, 0 failed"),
        "{run}"
    );
}

#[test]
fn a_tests_own_thresholds_are_checked_on_its_own_figures() {
    let server = DemoServer::start_local();
    // at_most_ten has `thresholds("hits<=10")`: its 10 hits meet it, the run's 20 would not.
    let run = loadrun(
        &server,
        &["mixes::browse", "mixes::at_most_ten", "-u", "20"],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout
            .contains("✓ hits<=10 (mixes::at_most_ten)  measured 10"),
        "{run}"
    );
    let run = loadrun(
        &server,
        &["mixes::at_most_ten:3", "mixes::browse", "-u", "20"],
    );
    assert_eq!(run.code, 3, "15 hits break it: {run}");
}

#[test]
fn a_mix_across_targets_is_a_usage_error_that_says_how_to_fix_it() {
    let server = DemoServer::start_local();
    let run = loadrun(&server, &["mixes::browse", "fixture::get", "-u", "2"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("the tests of a mix must be in one test target")
            && run.stderr.contains("`fixture::get` in target `fixture`")
            && run.stderr.contains("limitation")
            && run.stderr.contains("put them in one file"),
        "{run}"
    );
    // Two targets of one name (tests/fixture.rs and the `fixture` binary): two binaries.
    let run = loadrun(
        &server,
        &["fixture::get", "fixture::tests::in_bin", "-u", "2"],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("the tests of a mix must be in one test binary")
            && run.stderr.contains("put them in one file"),
        "{run}"
    );
    assert_eq!(server.counts().requests, 0, "nothing ran");
}

#[test]
fn bad_weights_and_unknown_names_are_usage_errors() {
    let server = DemoServer::start_local();
    let run = loadrun(&server, &["mixes::browse:0", "mixes::checkout"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("`mixes::browse:0`: the weight `0` is not a whole number from 1 to 1000; write e.g. mixes::browse:3"),
        "{run}"
    );
    let run = loadrun(&server, &["mixes::browse", "mixes::checkout:lots"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("the weight `lots`"), "{run}");
    let run = loadrun(&server, &["mixes::browse", "mixes::chekout:2"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("no load test `mixes::chekout`; did you mean `mixes::checkout`"),
        "{run}"
    );
    assert_eq!(server.counts().requests, 0, "nothing ran");
}

/// `cargo test --test mixes -- --ignored --exact TEST` against `server`.
fn cargo_test(test: &str, server: &DemoServer) -> Run {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["test", "-q", "--manifest-path", "tests/Cargo.toml"])
        .args(["--test", "mixes", "--", "--ignored", "--exact", test])
        .env("LOADCASE_SERVER_URL", server.url(""))
        .current_dir(workspace());
    finish(command)
}

#[test]
fn under_cargo_test_setup_runs_before_the_hit_and_teardown_after() {
    let server = DemoServer::start_local();
    let run = cargo_test("logged_in", &server);
    assert_eq!(run.code, 0, "{run}");
    let counts = server.counts();
    assert_eq!(counts.logins, 1);
    assert_eq!(counts.by_route["GET /whoami"], 1, "the hit saw its login");
    assert_eq!(counts.by_route["POST /logout"], 1);
}

#[test]
fn under_cargo_test_a_failed_setup_fails_the_test_naming_it_and_skips_the_hit() {
    let server = DemoServer::start_local();
    let run = cargo_test("setup_refused", &server);
    assert_ne!(run.code, 0, "{run}");
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(
        text.contains("setup failed: failure at tests/mixes.rs:")
            && text.contains(": the login page is closed"),
        "{run}"
    );
    assert_eq!(server.counts().requests, 0, "the hit did not run");
}

#[test]
fn under_cargo_test_the_teardown_runs_after_a_panic_and_its_failure_fails_the_test() {
    let server = DemoServer::start_local();
    let run = cargo_test("hit_panics", &server);
    assert_ne!(run.code, 0, "{run}");
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(
        text.contains("deliberate panic in the hit of user 0"),
        "{run}"
    );
    assert_eq!(server.counts().by_route["POST /logout"], 1, "{run}");

    let run = cargo_test("teardown_fails", &server);
    assert_ne!(run.code, 0, "{run}");
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(
        text.contains("teardown failed: failure at tests/mixes.rs:") && text.contains("500"),
        "{run}"
    );
    assert_eq!(server.counts().by_route["GET /whoami"], 2, "both hits ran");
}
