//! The Loads guide's tests exactly as the issue writes them (examples/tests/loads_guide.rs), on
//! the fixed ports they name, with the demo server standing in for each service.

use std::net::SocketAddr;

use loadcase_e2e::{DemoServer, finish, loadrun_in};

#[test]
fn the_guide_as_written_compiles_and_runs() {
    let servers: Vec<DemoServer> = [9200u16, 9000, 8080]
        .into_iter()
        .map(|port| {
            DemoServer::start(SocketAddr::from(([127, 0, 0, 1], port))).unwrap_or_else(|e| {
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
