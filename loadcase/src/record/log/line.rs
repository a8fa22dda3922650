//! A logged request as a line of the file, formatted on the request's own thread into that
//! thread's buffer: a JSON object (written here field by field, as serde would write
//! [`LogEntry`] and reads it back, for a fraction of the cost), or a CSV row quoted as the csv
//! crate quotes one (only where a comma, a quote or a line break needs it).

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
            LogFormat::JsonLines => json_line(&mut self.bytes, entry),
            LogFormat::Csv => self.csv_row(entry),
        }
        self.entries += 1;
    }

    /// Takes the lines, leaving an empty buffer that writes into `spare` memory: at a few
    /// megabytes a harvest, a fresh buffer each time would be grown, copied and faulted in again.
    pub(crate) fn take(&mut self, spare: &Spare) -> LogBuffer {
        if self.entries == 0 {
            // Nothing to write: the memory it has stays for its next lines.
            return LogBuffer::default();
        }
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

/// `e` as a JSON object on a line of its own: the fields in [`LogEntry`]'s order, `error`, the
/// headers and the body left out when there are none, as serde leaves them out.
fn json_line(out: &mut Vec<u8>, e: &LogEntry<'_>) {
    out.extend_from_slice(b"{\"time_unix_ms\":");
    millis(out, e.time_unix_ms);
    out.extend_from_slice(b",\"user\":");
    int(out, e.user);
    for (key, text) in [
        (&b",\"name\":"[..], &*e.name),
        (b",\"method\":", &*e.method),
        (b",\"url\":", &*e.url),
    ] {
        out.extend_from_slice(key);
        string(out, text);
    }
    out.extend_from_slice(b",\"status\":");
    match e.status {
        Some(status) => int(out, u64::from(status)),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"outcome\":");
    string(out, &e.outcome);
    if let Some(error) = &e.error {
        out.extend_from_slice(b",\"error\":");
        string(out, error);
    }
    out.extend_from_slice(b",\"time_ms\":");
    millis(out, e.time_ms);
    for (key, ms) in [
        (&b",\"ttfb_ms\":"[..], e.ttfb_ms),
        (b",\"ttlb_ms\":", e.ttlb_ms),
    ] {
        out.extend_from_slice(key);
        match ms {
            Some(ms) => millis(out, ms),
            None => out.extend_from_slice(b"null"),
        }
    }
    out.extend_from_slice(b",\"bytes_sent\":");
    int(out, e.bytes_sent);
    out.extend_from_slice(b",\"bytes_received\":");
    int(out, e.bytes_received);
    for (key, headers) in [
        (&b",\"request_headers\":["[..], &e.request_headers),
        (b",\"response_headers\":[", &e.response_headers),
    ] {
        if headers.is_empty() {
            continue;
        }
        out.extend_from_slice(key);
        for (i, (name, value)) in headers.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"[" } else { b",[" });
            string(out, name);
            out.push(b',');
            string(out, value);
            out.push(b']');
        }
        out.push(b']');
    }
    if let Some(body) = &e.body {
        out.extend_from_slice(b",\"body\":");
        string(out, body);
    }
    out.extend_from_slice(b"}\n");
}

fn int(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A time in milliseconds, which the log keeps to the microsecond: `2.445`, `2.400`.
fn millis(out: &mut Vec<u8>, ms: f64) {
    if !(0.0..1e15).contains(&ms) {
        // Not a time a clock gives; serde's words for what it cannot be sure of.
        let _ = serde_json::to_writer(&mut *out, &ms);
        return;
    }
    let micros = (ms * 1e3).round() as u64;
    int(out, micros / 1000);
    let fraction = micros % 1000;
    out.extend_from_slice(&[
        b'.',
        b'0' + (fraction / 100) as u8,
        b'0' + (fraction / 10 % 10) as u8,
        b'0' + (fraction % 10) as u8,
    ]);
}

/// `text` as a JSON string: as it is between quotes when nothing in it needs escaping, else as
/// serde_json escapes it.
fn string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        // Writing a string to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, text);
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
    fn a_json_line_reads_back_as_the_entry_it_was() {
        use std::borrow::Cow;
        let mut entry = LogEntry {
            time_unix_ms: 1_796_186_873_631.061,
            user: 17,
            name: Cow::Borrowed("GET /a \"b\"\\c"),
            method: Cow::Borrowed("GET"),
            url: Cow::Borrowed("http://127.0.0.1:1/x?a=1"),
            status: None,
            outcome: Cow::Borrowed("error"),
            error: Some(Cow::Borrowed("line\nbreak\ttab \u{1}")),
            time_ms: 2.4,
            ttfb_ms: Some(0.001),
            ttlb_ms: None,
            bytes_sent: 3,
            bytes_received: 0,
            request_headers: vec![("accept".into(), "*/*".into()), ("x".into(), "é".into())],
            response_headers: vec![],
            body: Some(Cow::Borrowed("café")),
        };
        for _ in 0..2 {
            let mut out = Vec::new();
            json_line(&mut out, &entry);
            let line = String::from_utf8(out).unwrap();
            assert!(
                line.ends_with("}\n") && line.matches('\n').count() == 1,
                "{line}"
            );
            let back: LogEntry<'_> = serde_json::from_str(&line).unwrap();
            assert_eq!(back, entry, "{line}");
            let value: serde_json::Value = serde_json::from_str(&line).unwrap();
            let serde: serde_json::Value = serde_json::to_value(&entry).unwrap();
            assert_eq!(value, serde, "the same object serde writes");
            // And the plainest entry: nothing to leave out but what serde leaves out.
            entry.error = None;
            entry.body = None;
            entry.request_headers.clear();
            entry.status = Some(200);
            entry.ttlb_ms = Some(2.4);
        }
    }

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
