//! The Loads guide's tests exactly as the issue writes them (examples/tests/loads_guide.rs), on
//! the fixed ports they name, with the demo server standing in for each service.
//!
//! Those exact ports are the point of the test, and another program may hold one of them on a
//! developer's machine: then the test says which and skips, unless `LOADCASE_REQUIRE_PORTS=1`
//! (as `.ci/run` sets it), where it fails.

use std::net::{SocketAddr, TcpListener};

use loadcase_e2e::{DemoServer, finish, loadrun_in, required, skip};

/// The services of the guide: Elasticsearch, the WebSocket echo, the app.
const PORTS: [u16; 3] = [9200, 9000, 8080];

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// The ports of `PORTS` that something else listens on, each with what binding it said.
fn taken() -> Vec<String> {
    PORTS
        .into_iter()
        .filter_map(|port| match TcpListener::bind(loopback(port)) {
            Ok(_) => None,
            Err(e) => Some(format!("port {port} ({e})")),
        })
        .collect()
}

#[test]
fn the_guide_as_written_compiles_and_runs() {
    let taken = taken();
    if !taken.is_empty() && !required("LOADCASE_REQUIRE_PORTS") {
        skip(
            "the_guide_as_written_compiles_and_runs",
            &format!(
                "another program holds {}, and examples/tests/loads_guide.rs names ports 9200, \
                 9000 and 8080; free them to run it (LOADCASE_REQUIRE_PORTS=1 makes this a failure)",
                taken.join(", ")
            ),
        );
        return;
    }
    let servers: Vec<DemoServer> = PORTS
        .into_iter()
        .map(|port| {
            DemoServer::start(loopback(port)).unwrap_or_else(|e| {
                panic!("port {port} is taken ({e}); the guide's tests need it free")
            })
        })
        .collect();
    for (test, requests_on, sockets) in [
        ("loads_guide::test_es", 0, 0),
        ("loads_guide::test_ws", 1, 20),
        ("loads_guide::test_app", 2, 0),
        ("loads_guide::plain", 2, 0),
    ] {
        let before = servers[requests_on].counts();
        let run = finish(loadrun_in(
            "examples/Cargo.toml",
            &[test, "-u", "4", "-c", "5"],
        ));
        assert_eq!(run.code, 0, "{test}: {run}");
        assert_eq!(run.figure("Success"), 20, "{test}: {run}");
        let after = servers[requests_on].counts();
        assert_eq!(after.ws_opened - before.ws_opened, sockets, "{test}");
        if sockets == 0 {
            assert_eq!(after.requests - before.requests, 20, "{test}");
        }
    }
    let pages = finish(loadrun_in(
        "examples/Cargo.toml",
        &["loads_guide::test_app", "-u", "2", "-c", "2"],
    ));
    assert!(pages.stdout.contains("Counters:\n  pages: 4"), "{pages}");
}
