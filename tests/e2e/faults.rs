//! Hostile servers (`loadcase_e2e::hostile`): each fault through the real runner, its hits
//! counted as errors while the run goes on, the request table against what the server saw, the
//! JSON report and the request log written, and the memory bounded where a server could blow it.

use std::path::PathBuf;

use loadcase::Report;
use loadcase_e2e::hostile::{Fault, Hostile};
use loadcase_e2e::{Run, run};

/// What a run against a hostile server left.
pub struct Ran {
    pub run: Run,
    pub report: Report,
    /// Lines of the request log.
    pub logged: u64,
    /// The report's `GET /fault` row: (count, errors).
    pub row: (u64, u64),
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loadcase-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cargo loadrun faults::TEST ARGS --server-url URL` with a JSON report and a request log.
pub fn against(url: &str, test: &str, args: &[&str]) -> Ran {
    let dir = scratch(&format!(
        "{}-{}",
        test,
        url.rsplit(':').next().unwrap_or("")
    ));
    let (report, log) = (dir.join("run.json"), dir.join("requests.jsonl"));
    let mut all = vec![
        test,
        "--server-url",
        url,
        "--report",
        report.to_str().unwrap(),
        "--log-requests",
        log.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let run = run(&all);
    let text =
        std::fs::read_to_string(&report).unwrap_or_else(|e| panic!("no JSON report ({e}):\n{run}"));
    let report: Report = serde_json::from_str(&text).unwrap();
    let logged = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("no request log ({e}):\n{run}"))
        .lines()
        .count() as u64;
    let row = report
        .stats
        .requests
        .get("GET /fault")
        .map_or((0, 0), |r| (r.count, r.errors));
    let _ = std::fs::remove_dir_all(&dir);
    Ran {
        run,
        report,
        logged,
        row,
    }
}

/// Every hit an error, each request counted in the request table (`request_errors` of them as
/// errors), the log and by the server, and the summary's grouped error saying `words`.
fn hit_errors(ran: &Ran, hits: u64, seen_requests: u64, request_errors: u64, words: &str) {
    let Ran {
        run,
        report,
        logged,
        row,
    } = ran;
    assert_eq!(run.code, 1, "errors exit 1: {run}");
    assert_eq!(run.figure("Hits"), hits, "{run}");
    assert_eq!(run.figure("Errors"), hits, "{run}");
    assert_eq!(report.stats.hits.errors, hits);
    assert_eq!(*row, (seen_requests, request_errors), "{run}");
    assert_eq!(*logged, seen_requests, "one log line a request: {run}");
    assert_eq!(report.logged_requests, Some(seen_requests));
    let occurrences = if hits == 1 {
        "1 occurrence of: error".to_owned()
    } else {
        format!("{hits} occurrences of: error")
    };
    assert!(run.stdout.contains(&occurrences), "{run}");
    assert!(run.stdout.contains(words), "`{words}` in:\n{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
}

/// Every hit an error, and every request an error of the request table.
fn all_errors(ran: &Ran, hits: u64, seen_requests: u64, words: &str) {
    hit_errors(ran, hits, seen_requests, seen_requests, words);
}

#[test]
fn a_refused_connection_is_an_error_and_the_run_goes_on() {
    let server = Hostile::start(Fault::Refused);
    let ran = against(&server.url(""), "faults::fetch", &["-u", "2", "-c", "3"]);
    all_errors(&ran, 6, 6, "Connection refused");
    assert_eq!(server.seen().connections, 0);
}

#[test]
fn a_reset_mid_body_is_an_error_of_each_hit() {
    let server = Hostile::start(Fault::ResetMidBody);
    let ran = against(&server.url(""), "faults::fetch", &["-u", "2", "-c", "3"]);
    let seen = server.seen();
    assert_eq!(seen.requests, 6);
    all_errors(&ran, 6, 6, "error decoding response body");
}

#[test]
fn a_server_that_never_answers_is_bounded_by_the_request_timeout() {
    let server = Hostile::start(Fault::Hang);
    let started = std::time::Instant::now();
    let ran = against(
        &server.url(""),
        "faults::fetch",
        &["-u", "2", "-c", "2", "--request-timeout", "300ms"],
    );
    assert_eq!(server.seen().requests, 4);
    all_errors(&ran, 4, 4, "operation timed out");
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

#[test]
fn a_slow_drip_is_cut_by_the_request_timeout() {
    let every = std::time::Duration::from_millis(50);
    let server = Hostile::start(Fault::SlowDrip { bytes: 100, every });
    let ran = against(
        &server.url(""),
        "faults::fetch",
        &["-u", "1", "-c", "2", "--request-timeout", "500ms"],
    );
    assert_eq!(server.seen().requests, 2);
    all_errors(&ran, 2, 2, "operation timed out");
    let row = &ran.report.stats.requests["GET /fault"];
    assert!(
        (2..200).contains(&row.bytes_received),
        "the dripped bytes up to the timeout are counted: {}",
        row.bytes_received
    );
}

#[test]
fn an_endless_body_is_read_and_counted_within_bounded_memory() {
    let server = Hostile::start(Fault::Endless);
    let ran = against(
        &server.url(""),
        "faults::fetch",
        &["-u", "1", "-c", "1", "--request-timeout", "4s"],
    );
    all_errors(&ran, 1, 1, "operation timed out");
    let received = ran.report.stats.requests["GET /fault"].bytes_received;
    let sent = server.seen().bytes_sent;
    assert!(
        received > 64 << 20,
        "it went on reading past the body limit: {received} bytes"
    );
    assert!(received <= sent, "{received} received, {sent} sent");
    let peak = ran
        .report
        .peak_rss_bytes
        .expect("peak memory in the report");
    eprintln!(
        "endless body: {received} bytes read in 4 s, peak RSS {:.1} MB",
        peak as f64 / 1e6
    );
    assert!(peak < 200_000_000, "peak RSS {peak} bytes");
}

#[test]
fn huge_bodies_are_counted_in_full_and_not_kept() {
    let size: u64 = 100 << 20;
    let server = Hostile::start(Fault::Huge(size));
    let ran = against(&server.url(""), "faults::fetch", &["-u", "8", "-c", "1"]);
    // The requests got their response, read to its end: not errors of the request table, but
    // the hit's `bytes()` has no body to give.
    hit_errors(
        &ran,
        8,
        8,
        0,
        "the body's 104857600 bytes are more than the 16777216 a response keeps in memory",
    );
    let received = ran.report.stats.requests["GET /fault"].bytes_received;
    assert_eq!(received, 8 * size, "every byte counted");
    let peak = ran
        .report
        .peak_rss_bytes
        .expect("peak memory in the report");
    eprintln!(
        "8 users × 100 MiB bodies: peak RSS {:.1} MB",
        peak as f64 / 1e6
    );
    assert!(peak < 400_000_000, "peak RSS {peak} bytes");
}

#[test]
fn malformed_responses_are_errors_naming_what_was_wrong() {
    for (fault, words) in [
        (Fault::MalformedStatus, "invalid HTTP status-code parsed"),
        (Fault::MalformedChunking, "Invalid chunk size line"),
        (Fault::ShortBody, "error decoding response body"),
    ] {
        let server = Hostile::start(fault);
        let ran = against(&server.url(""), "faults::fetch", &["-u", "2", "-c", "2"]);
        assert_eq!(server.seen().requests, 4, "{fault:?}");
        all_errors(&ran, 4, 4, words);
    }
}

#[test]
fn a_websocket_reset_mid_conversation_is_an_error_naming_the_url() {
    let server = Hostile::start(Fault::WsReset);
    let ran = against(
        &server.url(""),
        "faults::conversation",
        &["-u", "2", "-c", "3"],
    );
    let run = &ran.run;
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Hits"), 6);
    assert_eq!(run.figure("Errors"), 6);
    assert_eq!(run.figure("Opened web sockets"), 6);
    let seen = server.seen();
    assert_eq!(seen.requests, 6, "one upgrade a hit");
    assert_eq!(
        seen.ws_messages, 12,
        "the second message of each hit is the last"
    );
    assert_eq!(ran.report.stats.websockets.messages_sent, 12);
    assert_eq!(ran.report.stats.websockets.messages_received, 6);
    let url = server.ws_url("/ws");
    assert!(
        run.stdout
            .contains(&format!("6 occurrences of: websocket {url}: ")),
        "{run}"
    );
}

#[test]
fn a_huge_websocket_frame_is_refused_as_it_arrives() {
    let server = Hostile::start(Fault::WsHugeFrame);
    let ran = against(
        &server.url(""),
        "faults::big_message",
        &["-u", "2", "-c", "2"],
    );
    let run = &ran.run;
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Errors"), 4, "{run}");
    let url = server.ws_url("/ws");
    assert!(
        run.stdout.contains(&format!(
            "4 occurrences of: websocket {url}: a message of 1099511627776 bytes is over the 16777216 a user takes (--body-limit)"
        )),
        "{run}"
    );
    let sent = server.seen().bytes_sent;
    assert!(
        sent < 1 << 30,
        "the client stopped reading at the frame's header: {sent} bytes sent"
    );
    let peak = ran
        .report
        .peak_rss_bytes
        .expect("peak memory in the report");
    assert!(peak < 200_000_000, "peak RSS {peak} bytes");
}
