//! `--log-requests`: every request to a file, written by a thread of its own from batches
//! harvested with the metrics. The request path formats its line ([`line`]) into its thread's
//! buffer from what it has at hand, borrowed, so a logged request costs one line's formatting
//! and no copies of its strings; the thread only writes the bytes.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::plan::log::{LogFormat, LogSpec};

mod entry;
mod line;

pub use entry::{BODY_EXCERPT, LogEntry};
pub(crate) use entry::{ms, unix_ms};
pub(crate) use line::{LogBuffer, Spare};

/// The writing thread.
pub(crate) struct LogWriter {
    format: LogFormat,
    /// Buffers written out, for the shards to fill again.
    spare: Arc<Spare>,
    batches: Option<mpsc::Sender<LogBuffer>>,
    thread: Option<JoinHandle<io::Result<u64>>>,
    /// Entries in the file so far: written and flushed to the operating system, so a crash or a
    /// kill of the process loses none of them.
    written: Arc<AtomicU64>,
}

impl LogWriter {
    /// Creates the file (truncating it), writes a CSV file's header, and starts the thread.
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
        let mut file = crate::record::private::create(&spec.path)?;
        if format == LogFormat::Csv {
            file.write_all(line::CSV_HEADER.as_bytes())?;
        }
        let (tx, rx) = mpsc::channel::<LogBuffer>();
        let written = Arc::new(AtomicU64::new(0));
        let counter = written.clone();
        let spare = Arc::new(Spare::default());
        let returned = spare.clone();
        let thread = std::thread::Builder::new()
            .name("loadcase-request-log".into())
            .spawn(move || write_all(file, rx, &counter, &returned))?;
        Ok(LogWriter {
            format,
            spare,
            batches: Some(tx),
            thread: Some(thread),
            written,
        })
    }

    /// The file's format, which the lines are formatted in.
    pub(crate) fn format(&self) -> LogFormat {
        self.format
    }

    /// Where the buffers it wrote out go, to be filled again.
    pub(crate) fn spare(&self) -> Arc<Spare> {
        self.spare.clone()
    }

    /// Queues a batch; never blocks.
    pub(crate) fn send(&self, batch: LogBuffer) {
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

/// Writes each batch (one per harvest, a few a second) as it comes, in one call: nothing is
/// held past its harvest.
fn write_all(
    mut out: File,
    batches: mpsc::Receiver<LogBuffer>,
    flushed: &AtomicU64,
    spare: &Spare,
) -> io::Result<u64> {
    let mut written = 0u64;
    for batch in batches {
        out.write_all(batch.bytes())?;
        written += batch.entries();
        flushed.store(written, Ordering::Relaxed);
        spare.put(batch.into_bytes());
    }
    out.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn entry(i: u64) -> LogEntry<'static> {
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
            body: Some("line one\n\"two\", three, café".into()),
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
            let mut batch = LogBuffer::default();
            for &i in chunk {
                batch.push(&entry(i), writer.format());
            }
            writer.send(batch);
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
        assert_eq!(reader.headers().unwrap().len(), 16);
        assert_eq!(&reader.headers().unwrap()[15], "body");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 20);
        assert_eq!(&rows[3][15], "line one\n\"two\", three, café");
        assert_eq!(&rows[3][5], "");
        assert_eq!(&rows[4][5], "500");
        assert_eq!(&rows[4][4], "http://127.0.0.1:1/x?a=1,2");
        assert_eq!(&rows[4][0], "1500000000004.000");
        assert_eq!(&rows[4][13], "accept: */*");
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
