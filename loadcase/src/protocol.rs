//! The side channel between `cargo loadrun` and a test binary, shared by both sides.
//!
//! The runner listens on a loopback port and starts the test binary with the plan in environment
//! variables (libtest rejects unknown flags). The binary connects, says `hello` with the protocol
//! version and a per-run token, then streams `progress` a few times a second, a full `snapshot`
//! with each of the first four and then every second (so a crash loses at most a quarter of a
//! second in the first second, at most a second later), and `done` with the final report. The runner
//! may send `stop` (Ctrl-C). Messages are JSON, one per line. The user's own prints go to stdout
//! and stderr and cannot corrupt any of this.

use std::io::{self, BufRead, Write};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::control::Progress;
use crate::report::model::Report;

/// Version of this protocol; both sides must agree.
pub const PROTOCOL_VERSION: u32 = 1;

/// Environment variables of the protocol.
pub mod env {
    /// `host:port` of the runner's side channel.
    pub const CONNECT: &str = "LOADCASE_CONNECT";
    /// Token the test binary must repeat in its hello.
    pub const TOKEN: &str = "LOADCASE_TOKEN";
    /// The [`Plan`](crate::Plan) as JSON. Its presence switches a `#[load_test]` to load mode.
    pub const PLAN: &str = "LOADCASE_PLAN";
    /// libtest name of the test the plan is for.
    pub const TEST: &str = "LOADCASE_TEST";
    /// A file to which each `#[load_test]` appends its listing at start-up.
    pub const LIST: &str = "LOADCASE_LIST";
    /// Server URL for `cx.app`, below `--server-url` and above the attribute.
    pub const SERVER_URL: &str = "LOADCASE_SERVER_URL";
    /// Worker threads of the load engine (default: one per core).
    pub const WORKER_THREADS: &str = "LOADCASE_WORKER_THREADS";
}

/// From the test binary to the runner. Externally tagged (`{"done": {…}}`): an internally
/// tagged enum would buffer the report and lose its integer map keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToRunner {
    /// First message: who is speaking.
    Hello {
        /// [`PROTOCOL_VERSION`] of the test binary's loadcase.
        protocol: u32,
        /// The token from the environment.
        token: String,
        /// The test being run.
        test: String,
    },
    /// Counters for the progress display.
    Progress(Progress),
    /// Everything measured so far.
    Snapshot(Report),
    /// The final report; the binary exits after it.
    Done(Report),
}

/// From the runner to the test binary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToChild {
    /// Stop starting hits, finish the current ones, report.
    Stop,
}

/// Writes one message as a JSON line and flushes it.
pub fn send<T: Serialize>(writer: &mut impl Write, message: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *writer, message)?;
    writer.write_all(b"\n")?;
    writer.flush()
}

/// Writes a report as [`ToRunner::Snapshot`] or, if `last`, [`ToRunner::Done`], without
/// copying it into a message first.
pub fn send_report(writer: &mut impl Write, report: &Report, last: bool) -> io::Result<()> {
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Borrowed<'a> {
        Snapshot(&'a Report),
        Done(&'a Report),
    }
    send(
        writer,
        &if last {
            Borrowed::Done(report)
        } else {
            Borrowed::Snapshot(report)
        },
    )
}

/// Reads one message; `Ok(None)` at end of stream.
pub fn receive<T: DeserializeOwned>(reader: &mut impl BufRead) -> io::Result<Option<T>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    serde_json::from_str(&line)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The protocol version a hello line announces, read leniently so that a runner can name a
/// version mismatch instead of failing to parse a newer message shape.
pub fn hello_protocol(line: &str) -> Option<u32> {
    #[derive(Deserialize)]
    struct Hello {
        hello: Version,
    }
    #[derive(Deserialize)]
    struct Version {
        protocol: u32,
    }
    serde_json::from_str::<Hello>(line)
        .ok()
        .map(|h| h.hello.protocol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_lines() {
        let mut buffer = Vec::new();
        let hello = ToRunner::Hello {
            protocol: PROTOCOL_VERSION,
            token: "t".into(),
            test: "a::b".into(),
        };
        send(&mut buffer, &hello).unwrap();
        // Integer map keys and histograms are what a buffering (internally tagged) enum loses.
        let mut report = Report::default();
        report.stats.status_codes.insert(200, 7);
        report
            .stats
            .hits
            .time
            .record(std::time::Duration::from_millis(3));
        report
            .stats
            .requests
            .entry("GET /".into())
            .or_default()
            .count = 7;
        send(&mut buffer, &ToRunner::Done(report.clone())).unwrap();
        let mut reader = io::BufReader::new(buffer.as_slice());
        assert_eq!(receive::<ToRunner>(&mut reader).unwrap(), Some(hello));
        assert_eq!(
            receive::<ToRunner>(&mut reader).unwrap(),
            Some(ToRunner::Done(report.clone()))
        );
        assert_eq!(receive::<ToRunner>(&mut reader).unwrap(), None);
        let mut buffer = Vec::new();
        send_report(&mut buffer, &report, false).unwrap();
        send_report(&mut buffer, &report, true).unwrap();
        let mut reader = io::BufReader::new(buffer.as_slice());
        assert_eq!(
            receive::<ToRunner>(&mut reader).unwrap(),
            Some(ToRunner::Snapshot(report.clone()))
        );
        assert_eq!(
            receive::<ToRunner>(&mut reader).unwrap(),
            Some(ToRunner::Done(report))
        );
    }

    #[test]
    fn hello_version_is_readable_from_any_shape() {
        assert_eq!(
            hello_protocol(r#"{"hello":{"protocol":9,"extra":[1]}}"#),
            Some(9)
        );
        let ours = serde_json::to_string(&ToRunner::Hello {
            protocol: 1,
            token: String::new(),
            test: String::new(),
        })
        .unwrap();
        assert_eq!(hello_protocol(&ours), Some(1));
        assert_eq!(hello_protocol("garbage"), None);
    }
}
