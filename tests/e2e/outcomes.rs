//! Successes, failures and errors are counted apart and grouped with their locations.

use loadcase_e2e::{DemoServer, run};

#[test]
fn failures_and_errors_are_told_apart_and_grouped() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::outcomes",
        "-u",
        "2",
        "-c",
        "10",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Hits"), 20);
    assert_eq!(run.figure("Success"), 4);
    assert_eq!(
        run.figure("Failures"),
        12,
        "asserts, unexpected statuses and fail! are failures"
    );
    assert_eq!(run.figure("Errors"), 4, "an Err through ? is an error");
    let out = &run.stdout;
    assert!(
        out.contains("4 occurrences of: deliberate fail! of hit 4"),
        "{run}"
    );
    assert!(
        out.contains(
            "4 occurrences of: assertion `left == right` failed: deliberate assertion failure"
        ),
        "{run}"
    );
    assert!(
        out.contains("4 occurrences of: GET http://127.0.0.1"),
        "{run}"
    );
    assert!(
        out.contains("returned 503 Service Unavailable, expected 2xx or 3xx"),
        "{run}"
    );
    assert!(
        out.contains("4 occurrences of: No such file or directory"),
        "{run}"
    );
    assert!(out.contains("failure at tests/fixture.rs:"), "{run}");
    assert!(out.contains("error at tests/fixture.rs:"), "{run}");
    // The server saw every request the table counts.
    let counts = server.counts();
    assert_eq!(run.requests()["GET /status/503"], (4, 4));
    assert_eq!(counts.by_route["GET /status/503"], 4);
    assert_eq!(counts.by_route["GET /es"], 4);
}

#[test]
fn unreachable_servers_and_bad_urls_are_errors_and_the_run_goes_on() {
    let run = run(&["fixture::unreachable", "-u", "3", "-c", "4"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Hits"), 12);
    assert_eq!(run.figure("Errors"), 12);
    assert!(
        run.stdout
            .contains("6 occurrences of: error sending request for url (http://127.0.0.1:9/)"),
        "{run}"
    );
    assert!(
        run.stdout.contains("6 occurrences of: builder error"),
        "{run}"
    );
    assert_eq!(
        run.requests()["GET /"],
        (6, 6),
        "refused connections are counted as request errors"
    );
}

#[test]
fn user_output_cannot_corrupt_results() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::noisy",
        "-u",
        "3",
        "-c",
        "5",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 15, "the summary's own line comes first");
    assert!(run.stderr.contains("noise on stderr from hit 4"), "{run}");
    assert!(
        run.stderr.contains("Hits: 999999 (a user's print"),
        "the test's stdout is relayed to stderr: {run}"
    );
    assert!(
        !run.stdout.contains("999999"),
        "stdout carries the summary alone: {run}"
    );
    assert_eq!(server.counts().requests, 15);
}

#[test]
fn cx_app_without_a_server_url_is_an_error_that_says_how_to_set_one() {
    let run = run(&["fixture::get", "-u", "2", "-c", "2"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Errors"), 4);
    assert!(
        run.stdout.contains("4 occurrences of: cx.app.get(\"/es\") has no server URL to go to: pass --server-url URL"),
        "{run}"
    );
    assert!(run.stdout.contains("error at tests/fixture.rs:"), "{run}");
}

#[test]
fn a_flood_of_output_neither_delays_nor_loses_the_report() {
    let run = run(&["fixture::chatty", "-u", "10", "-c", "100"]);
    assert_eq!(
        run.code,
        0,
        "{}",
        run.stderr
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(run.figure("Hits"), 1000);
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("chatter "))
            .count(),
        200_000
    );
    assert_eq!(
        run.stderr.lines().filter(|l| *l == "ok").count(),
        1000,
        "the test's own `ok` lines are kept"
    );
}
