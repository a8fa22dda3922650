//! Datasets through the real runner: `.unique()` rows reach the server once each, running out of
//! them stops the run, and a malformed data file stops the build.

use loadcase_e2e::{DemoServer, run};

fn unique_rows(server: &DemoServer, users: &str, hits: &str) -> loadcase_e2e::Run {
    run(&[
        "datasets::unique_rows",
        "-u",
        users,
        "-c",
        hits,
        "--server-url",
        &server.url(""),
    ])
}

/// Every one of the 50 rows arrived at the server exactly once.
fn assert_each_row_once(server: &DemoServer) {
    let counts = server.counts();
    for id in 1..=50 {
        assert_eq!(
            counts.by_route.get(&format!("GET /row/{id}")),
            Some(&1),
            "row {id}: {:?}",
            counts.by_route
        );
    }
    assert_eq!(counts.requests, 50, "{:?}", counts.by_route);
}

#[test]
fn unique_rows_reach_the_server_once_each() {
    let server = DemoServer::start_local();
    let run = unique_rows(&server, "10", "5");
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 50, "{run}");
    assert_eq!(run.figure("Success"), 50, "{run}");
    assert_each_row_once(&server);
}

#[test]
fn running_out_of_unique_rows_stops_the_run() {
    let server = DemoServer::start_local();
    // One user, so the order is known: 50 rows, then the 51st hit finds none and stops the run
    // before the 9 hits left of the plan.
    let run = unique_rows(&server, "1", "60");
    let message = "all 50 rows of data/rows.csv have been used (unique); give more rows, fewer hits, or `.unique().wrapping()`";
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Hits"), 51, "{run}");
    assert_eq!(run.figure("Success"), 50, "{run}");
    assert_eq!(run.figure("Errors"), 1, "{run}");
    assert!(
        run.stdout.contains(&format!("Stopped early: {message}")),
        "{run}"
    );
    assert!(
        run.stdout.contains(&format!("1 occurrence of: {message}")),
        "{run}"
    );
    assert_each_row_once(&server);
}

#[test]
fn a_malformed_data_file_is_a_build_error() {
    let run = run(&[
        "datasets::unique_rows",
        "--features",
        "malformed-data",
        "--server-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("data/malformed.csv:3:3: this quote is never closed"),
        "{run}"
    );
}
