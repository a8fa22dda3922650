//! Hits and requests counted by the runner equal what the server received.

use loadcase_e2e::{DemoServer, run};

#[test]
fn users_times_hits_is_what_the_server_sees() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::get",
        "-u",
        "100",
        "-c",
        "10",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 1000);
    assert_eq!(run.figure("Success"), 1000);
    assert_eq!(run.requests()["GET /es"], (1000, 0), "{run}");
    assert_eq!(server.counts().by_route["GET /es"], 1000);
    assert_eq!(server.counts().requests, 1000);
}

#[test]
fn stages_add_up_as_in_loads() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::get",
        "-u",
        "10:20:30",
        "--hits",
        "20",
        "--server-url",
        &server.url("/"),
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 1200);
    assert_eq!(server.counts().requests, 1200);
    // `--cycles` and `-c` are the same option, and hit lists add up per user.
    let run = loadcase_e2e::run(&[
        "fixture::get",
        "-u",
        "2:3",
        "--cycles",
        "1:2",
        "--server-url",
        &server.url("/"),
    ]);
    assert_eq!(run.figure("Hits"), 15, "{run}");
    assert_eq!(server.counts().requests, 1215);
}

#[test]
fn cookies_stay_with_their_user_across_hits() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::cookies",
        "-u",
        "10",
        "-c",
        "5",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Success"), 50);
    let counts = server.counts();
    assert_eq!(counts.logins, 10, "one login per user");
    assert_eq!(counts.by_route["GET /whoami"], 50);
    assert_eq!(run.requests()["GET /whoami"], (50, 0));
    assert_eq!(run.requests()["POST /login"], (10, 0));
}

#[test]
fn websocket_counts_match_the_server() {
    let server = DemoServer::start_local();
    let run = run(&[
        "fixture::websocket",
        "-u",
        "5",
        "-c",
        "4",
        "--server-url",
        &server.url(""),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let counts = server.counts();
    assert_eq!(counts.ws_opened, 20);
    assert_eq!(run.figure("Opened web sockets"), counts.ws_opened);
    assert_eq!(counts.ws_bytes_sent, 20 * (9 + 100));
    assert_eq!(
        run.figure("Bytes received via web sockets "),
        counts.ws_bytes_sent
    );
    assert_eq!(counts.ws_messages_received, 40);
}

#[test]
fn server_url_precedence_flag_then_env_then_attribute() {
    let flag = DemoServer::start_local();
    let env = DemoServer::start_local();
    let with_both = {
        let mut command = loadcase_e2e::loadrun(&[
            "fixture::attribute_url",
            "-u",
            "2",
            "-c",
            "3",
            "--server-url",
            &flag.url(""),
        ]);
        command.env("LOADCASE_SERVER_URL", env.url(""));
        loadcase_e2e::finish(command)
    };
    assert_eq!(with_both.code, 0, "{with_both}");
    assert_eq!((flag.counts().requests, env.counts().requests), (6, 0));

    let mut command = loadcase_e2e::loadrun(&["fixture::attribute_url", "-u", "2", "-c", "2"]);
    command.env("LOADCASE_SERVER_URL", env.url(""));
    let with_env = loadcase_e2e::finish(command);
    assert_eq!(with_env.code, 0, "{with_env}");
    assert_eq!(env.counts().requests, 4);

    // Neither: the attribute's closed port. Every hit is an error; the run still completes.
    let attribute = run(&["fixture::attribute_url", "-u", "2", "-c", "2"]);
    assert_eq!(attribute.code, 1, "{attribute}");
    assert_eq!(attribute.figure("Errors"), 4);
    assert!(attribute.stdout.contains("127.0.0.1:9"), "{attribute}");
}
