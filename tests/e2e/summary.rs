//! What the summary says beyond Loads' block, through the real runner against the counting
//! server: each stage's figures, WebSocket messages each way, the tests whose hits blocked
//! their thread, and the request log.

use std::path::PathBuf;

use loadcase::Report;
use loadcase_e2e::{DemoServer, Run, finish, loadrun, run};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loadcase-e2e-{}-summary", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The rows of the summary's `Stages:` table, each as its fields.
fn stage_rows(run: &Run) -> Vec<Vec<String>> {
    let table = run
        .stdout
        .split_once("\nStages:\n")
        .unwrap_or_else(|| panic!("no stage table:\n{run}"))
        .1;
    table
        .lines()
        .skip(1)
        .take_while(|line| line.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(|line| line.split_whitespace().map(str::to_owned).collect())
        .collect()
}

#[test]
fn each_stage_counts_what_the_server_saw_from_its_users() {
    let server = DemoServer::start_local();
    let report = temp("stages.json");
    let log = temp("stages.jsonl");
    let run = run(&[
        "fixture::numbered",
        "-u",
        "2:4",
        "-c",
        "3",
        "--server-url",
        &server.url(""),
        "--report",
        report.to_str().unwrap(),
        "--log-requests",
        log.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 18, "the first block covers both stages");
    // Users are numbered across stages: 0 and 1 ran the first, 2 to 5 the second.
    let counts = server.counts();
    let seen = |users: std::ops::Range<u32>| -> u64 {
        users
            .map(|u| {
                counts
                    .by_route
                    .get(&format!("GET /row/{u}"))
                    .copied()
                    .unwrap_or(0)
            })
            .sum()
    };
    let (first, second) = (seen(0..2), seen(2..6));
    assert_eq!((first, second), (6, 12), "{:?}", counts.by_route);
    let rows = stage_rows(&run);
    assert_eq!(rows.len(), 2, "{run}");
    for (row, (stage, users, server_saw)) in rows.iter().zip([(1, 2, first), (2, 4, second)]) {
        // Stage, users, time, hits, errors, failures, requests, hits/s, p50, p95, p99.
        assert_eq!(row.len(), 11, "{row:?}");
        assert_eq!(row[0], stage.to_string());
        assert_eq!(row[1], users.to_string());
        assert_eq!(
            row[3],
            server_saw.to_string(),
            "hits of stage {stage}\n{run}"
        );
        assert_eq!((row[4].as_str(), row[5].as_str()), ("0", "0"));
        assert_eq!(
            row[6],
            server_saw.to_string(),
            "requests of stage {stage}\n{run}"
        );
        assert!(row[8].ends_with('s'), "a request time: {row:?}");
    }
    // The JSON carries the same, and the stages' times are their own.
    let report: Report = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let by_stage: Vec<u64> = report
        .stages
        .iter()
        .map(|s| s.stats.request_count())
        .collect();
    assert_eq!(by_stage, [first, second]);
    let [a, b] = report.stages.as_slice() else {
        unreachable!()
    };
    assert!(
        a.started_secs + a.elapsed_secs <= b.started_secs + 1e-3,
        "{a:?} {b:?}"
    );
    assert!(b.started_secs + b.elapsed_secs <= report.elapsed_secs + 1e-3);
    // The request log: its entries, where it is, and every request in it.
    let lines = std::fs::read_to_string(&log).unwrap().lines().count() as u64;
    assert_eq!(lines, counts.requests);
    let absolute = std::path::absolute(&log).unwrap();
    let expected = format!(
        "\nRequest log: {lines} entries written to {}\n",
        absolute.display()
    );
    assert!(run.stdout.contains(&expected), "{expected}\n{run}");
}

#[test]
fn websocket_messages_each_way_are_what_the_server_counted() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::websocket",
        "-u",
        "3",
        "-c",
        "2",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let c = server.counts();
    assert_eq!((c.ws_opened, c.ws_messages_received), (6, 12));
    // What the test sent, the server received, and the other way round.
    let expected = format!(
        "\nWebSocket messages: {} sent ({} bytes), {} received ({} bytes), on {} sockets\n",
        c.ws_messages_received,
        c.ws_bytes_received,
        c.ws_messages_sent,
        c.ws_bytes_sent,
        c.ws_opened
    );
    assert!(run.stdout.contains(&expected), "{expected}\n{run}");
}

#[test]
fn a_test_that_blocks_its_thread_is_named_and_its_neighbour_is_not() {
    let server = DemoServer::start_local();
    let path = temp("blocking.json");
    let mut command = loadrun(&[
        "fixture::blocking",
        "fixture::get",
        "-u",
        "2",
        "-c",
        "2",
        "--server-url",
        &server.url(""),
        "--report",
        path.to_str().unwrap(),
    ]);
    // One worker thread: the GET user waits on it while the blocking hit holds it.
    command.env("LOADCASE_WORKER_THREADS", "1");
    let run = finish(command);
    assert_eq!(run.code, 0, "blocking is slow, not failed: {run}");
    assert_eq!(server.counts().by_route["GET /es"], 2);
    let report: Report = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let stalls = &report.by_test["fixture::blocking"].stalls;
    assert_eq!(stalls.count, 2, "each 600 ms sleep is one stall");
    assert_eq!(report.by_test["fixture::get"].stalls.count, 0);
    let line = format!(
        "  fixture::blocking: its hits held their worker thread without yielding 2 times for a \
         quarter second or more, the longest {:.1}ms",
        stalls.longest_secs * 1e3
    );
    assert!(run.stdout.contains(&line), "{line}\n{run}");
    assert!(
        run.stdout.contains(
            "Blocking calls (std::thread::sleep, synchronous I/O, CPU-heavy loops) belong in \
             tokio::task::spawn_blocking"
        ),
        "{run}"
    );
    assert!(!run.stdout.contains("fixture::get: its hits"), "{run}");
}
