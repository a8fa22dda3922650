//! `--log-requests`: every request to a file, written by a thread of its own from batches
//! harvested with the metrics, so the request path only appends to a per-thread buffer.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::plan::log::{LogFormat, LogSpec};

/// How much of a failed response's body is kept.
pub const BODY_EXCERPT: usize = 1024;

/// One logged request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// When it was sent, milliseconds since the Unix epoch.
    pub time_unix_ms: f64,
    /// The virtual user, from 0.
    pub user: u64,
    /// Its name in the statistics.
    pub name: String,
    /// HTTP method.
    pub method: String,
    /// The URL, without a password.
    pub url: String,
    /// Status, if a response came.
    pub status: Option<u16>,
    /// `ok` or `error` (as the request table counts them).
    pub outcome: String,
    /// Why it failed, for transport errors.
    pub error: Option<String>,
    /// Total time, ms.
    pub time_ms: f64,
    /// Time to first byte, ms.
    pub ttfb_ms: Option<f64>,
    /// Time to last byte, ms.
    pub ttlb_ms: Option<f64>,
    /// Request body bytes.
    pub bytes_sent: u64,
    /// Response body bytes.
    pub bytes_received: u64,
    /// Failed requests only: request headers, secrets redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<(String, String)>,
    /// Failed requests only: response headers, secrets redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// Failed requests only: the first [`BODY_EXCERPT`] bytes of the body, as UTF-8 (lossy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Milliseconds since the epoch of `t`.
pub(crate) fn unix_ms(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The writing thread.
pub(crate) struct LogWriter {
    batches: Option<mpsc::Sender<Vec<LogEntry>>>,
    thread: Option<JoinHandle<io::Result<u64>>>,
    /// Entries in the file so far: written and flushed to the operating system, so a crash or a
    /// kill of the process loses none of them.
    written: Arc<AtomicU64>,
}

impl LogWriter {
    /// Creates the file (truncating it) and starts the thread.
    pub(crate) fn start(spec: &LogSpec) -> io::Result<LogWriter> {
        let format = LogFormat::of(&spec.path).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{}: end the request log's name in .jsonl or .csv",
                    spec.path.display()
                ),
            )
        })?;
        let file = crate::record::private::create(&spec.path)?;
        let (tx, rx) = mpsc::channel::<Vec<LogEntry>>();
        let written = Arc::new(AtomicU64::new(0));
        let counter = written.clone();
        let thread = std::thread::Builder::new()
            .name("loadcase-request-log".into())
            .spawn(move || {
                write_all(
                    BufWriter::with_capacity(1 << 20, file),
                    format,
                    rx,
                    &counter,
                )
            })?;
        Ok(LogWriter {
            batches: Some(tx),
            thread: Some(thread),
            written,
        })
    }

    /// Queues a batch; never blocks.
    pub(crate) fn send(&self, batch: Vec<LogEntry>) {
        if batch.is_empty() {
            return;
        }
        if let Some(tx) = &self.batches {
            let _ = tx.send(batch);
        }
    }

    /// Entries flushed to the file so far.
    pub(crate) fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Writes what is queued, closes the file, and says how many requests it holds.
    pub(crate) fn finish(mut self) -> io::Result<u64> {
        self.batches.take();
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the request log's thread panicked")),
            None => Ok(0),
        }
    }
}

/// Writes each batch (one per harvest, a few a second) and flushes it at once: the buffer only
/// gathers a batch into few write calls, it never holds entries past their harvest.
fn write_all(
    mut out: BufWriter<File>,
    format: LogFormat,
    batches: mpsc::Receiver<Vec<LogEntry>>,
    flushed: &AtomicU64,
) -> io::Result<u64> {
    let mut written = 0u64;
    let mut csv = match format {
        LogFormat::Csv => Some(csv::Writer::from_writer(Vec::new())),
        LogFormat::JsonLines => None,
    };
    if let Some(w) = &mut csv {
        w.write_record(CSV_HEADER).map_err(io::Error::other)?;
    }
    for batch in batches {
        for entry in &batch {
            match &mut csv {
                None => {
                    serde_json::to_writer(&mut out, entry)?;
                    out.write_all(b"\n")?;
                }
                Some(w) => w.write_record(csv_row(entry)).map_err(io::Error::other)?,
            }
            written += 1;
        }
        if let Some(w) = &mut csv {
            w.flush()?;
            out.write_all(w.get_ref())?;
            *w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::new());
        }
        out.flush()?;
        flushed.store(written, Ordering::Relaxed);
    }
    if let Some(mut w) = csv {
        w.flush()?;
        out.write_all(w.get_ref())?;
    }
    out.flush()?;
    Ok(written)
}

const CSV_HEADER: [&str; 16] = [
    "time_unix_ms",
    "user",
    "name",
    "method",
    "url",
    "status",
    "outcome",
    "error",
    "time_ms",
    "ttfb_ms",
    "ttlb_ms",
    "bytes_sent",
    "bytes_received",
    "request_headers",
    "response_headers",
    "body",
];

fn csv_row(e: &LogEntry) -> [String; 16] {
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    let headers = |h: &[(String, String)]| {
        h.iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    [
        format!("{:.3}", e.time_unix_ms),
        e.user.to_string(),
        e.name.clone(),
        e.method.clone(),
        e.url.clone(),
        e.status.map_or(String::new(), |s| s.to_string()),
        e.outcome.clone(),
        e.error.clone().unwrap_or_default(),
        format!("{:.3}", e.time_ms),
        opt(e.ttfb_ms),
        opt(e.ttlb_ms),
        e.bytes_sent.to_string(),
        e.bytes_received.to_string(),
        headers(&e.request_headers),
        headers(&e.response_headers),
        e.body.clone().unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn entry(i: u64) -> LogEntry {
        LogEntry {
            time_unix_ms: 1.5e12 + i as f64,
            user: i % 3,
            name: "GET /x".into(),
            method: "GET".into(),
            url: "http://127.0.0.1:1/x?a=1,2".into(),
            status: i.is_multiple_of(2).then_some(500),
            outcome: "error".into(),
            error: None,
            time_ms: 1.25,
            ttfb_ms: Some(1.0),
            ttlb_ms: None,
            bytes_sent: 0,
            bytes_received: 4,
            request_headers: vec![("accept".into(), "*/*".into())],
            response_headers: vec![],
            body: Some("line one\n\"two\", three".into()),
        }
    }

    fn log(name: &str, n: u64) -> (PathBuf, u64) {
        let dir = std::env::temp_dir().join(format!("loadcase-log-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let writer = LogWriter::start(&LogSpec {
            path: path.clone(),
            redact_headers: vec![],
        })
        .unwrap();
        for chunk in (0..n).collect::<Vec<_>>().chunks(7) {
            writer.send(chunk.iter().map(|&i| entry(i)).collect());
        }
        (path, writer.finish().unwrap())
    }

    #[test]
    fn json_lines_hold_every_entry() {
        let (path, written) = log("r.jsonl", 50);
        assert_eq!(written, 50);
        let text = std::fs::read_to_string(path).unwrap();
        let back: Vec<LogEntry> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(back.len(), 50);
        assert_eq!(back[9], entry(9));
    }

    #[test]
    fn csv_has_one_header_and_a_row_per_entry() {
        let (path, written) = log("r.csv", 20);
        assert_eq!(written, 20);
        let mut reader = csv::Reader::from_path(path).unwrap();
        assert_eq!(reader.headers().unwrap().len(), CSV_HEADER.len());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 20);
        assert_eq!(&rows[3][15], "line one\n\"two\", three");
        assert_eq!(&rows[3][5], "");
        assert_eq!(&rows[4][5], "500");
    }

    #[test]
    fn other_extensions_are_refused() {
        let error = LogWriter::start(&LogSpec {
            path: std::env::temp_dir().join("x.txt"),
            redact_headers: vec![],
        })
        .err()
        .unwrap();
        assert!(error.to_string().contains(".jsonl or .csv"), "{error}");
    }
}
