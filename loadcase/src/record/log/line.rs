//! A logged request as a line of the file, formatted on the request's own thread into that
//! thread's buffer: a JSON object (serde_json, as [`LogEntry`] reads back), or a CSV row quoted
//! as the csv crate quotes one (only where a comma, a quote or a line break needs it).

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::{Mutex, PoisonError};

use super::entry::LogEntry;
use crate::plan::log::LogFormat;

/// The CSV file's first line.
pub(super) const CSV_HEADER: &str = "time_unix_ms,user,name,method,url,status,outcome,error,\
    time_ms,ttfb_ms,ttlb_ms,bytes_sent,bytes_received,request_headers,response_headers,body\n";

/// Lines formatted since the last harvest, and how many.
#[derive(Default)]
pub(crate) struct LogBuffer {
    bytes: Vec<u8>,
    entries: u64,
    /// Scratch space for a CSV field that needs quoting.
    field: String,
}

impl LogBuffer {
    /// Formats `entry` at the end, as a line of a file of `format`.
    pub(crate) fn push(&mut self, entry: &LogEntry<'_>, format: LogFormat) {
        match format {
            LogFormat::JsonLines => {
                // Writing to a Vec fails only if serialization does, which plain data cannot.
                if serde_json::to_writer(&mut self.bytes, entry).is_ok() {
                    self.bytes.push(b'\n');
                }
            }
            LogFormat::Csv => self.csv_row(entry),
        }
        self.entries += 1;
    }

    /// Takes the lines, leaving an empty buffer that writes into `spare` memory: at a few
    /// megabytes a harvest, a fresh buffer each time would be grown, copied and faulted in again.
    pub(crate) fn take(&mut self, spare: &Spare) -> LogBuffer {
        let bytes = std::mem::replace(&mut self.bytes, spare.get());
        LogBuffer {
            bytes,
            entries: std::mem::take(&mut self.entries),
            field: String::new(),
        }
    }

    /// Moves `other`'s lines to the end of these.
    pub(crate) fn append(&mut self, other: &mut LogBuffer) {
        if self.bytes.is_empty() {
            std::mem::swap(&mut self.bytes, &mut other.bytes);
        } else {
            self.bytes.append(&mut other.bytes);
        }
        self.entries += std::mem::take(&mut other.entries);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries == 0
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Its memory, to be used again.
    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub(super) fn entries(&self) -> u64 {
        self.entries
    }

    fn csv_row(&mut self, e: &LogEntry<'_>) {
        let out = &mut self.bytes;
        let _ = write!(out, "{:.3},{},", e.time_unix_ms, e.user);
        for text in [&*e.name, &*e.method, &*e.url] {
            field(out, text);
            out.push(b',');
        }
        if let Some(status) = e.status {
            let _ = write!(out, "{status}");
        }
        out.push(b',');
        field(out, &e.outcome);
        out.push(b',');
        field(out, e.error.as_deref().unwrap_or_default());
        let _ = write!(out, ",{:.3},", e.time_ms);
        for ms in [e.ttfb_ms, e.ttlb_ms] {
            if let Some(ms) = ms {
                let _ = write!(out, "{ms:.3}");
            }
            out.push(b',');
        }
        let _ = write!(out, "{},{},", e.bytes_sent, e.bytes_received);
        for headers in [&e.request_headers, &e.response_headers] {
            self.field.clear();
            for (i, (name, value)) in headers.iter().enumerate() {
                let separator = if i == 0 { "" } else { "\n" };
                let _ = write!(self.field, "{separator}{name}: {value}");
            }
            field(out, &self.field);
            out.push(b',');
        }
        field(out, e.body.as_deref().unwrap_or_default());
        out.push(b'\n');
    }
}

/// Buffers written out, emptied, for the next harvest's lines.
#[derive(Default)]
pub(crate) struct Spare(Mutex<Vec<Vec<u8>>>);

/// Buffers kept for use again: one per worker thread is in use between harvests.
const SPARE: usize = 8;

impl Spare {
    fn get(&self) -> Vec<u8> {
        let mut spare = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        spare.pop().unwrap_or_default()
    }

    pub(super) fn put(&self, mut bytes: Vec<u8>) {
        bytes.clear();
        let mut spare = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if spare.len() < SPARE {
            spare.push(bytes);
        }
    }
}

/// `text` as a CSV field: in quotes, its quotes doubled, when it holds a comma, a quote or a
/// line break.
fn field(out: &mut Vec<u8>, text: &str) {
    if !text.contains([',', '"', '\n', '\r']) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    for part in text.split_inclusive('"') {
        out.extend_from_slice(part.as_bytes());
        if part.ends_with('"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_where_needed() {
        let mut out = Vec::new();
        for text in ["plain", "a,b", "say \"hi\"", "two\nlines", ""] {
            field(&mut out, text);
            out.push(b'|');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"||"
        );
    }
}
