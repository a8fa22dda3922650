//! Deserializing a dataset's rows into the user's type, with errors placed at `file:line:column`.
//!
//! `dataset!` has already checked the file's structure while compiling; what is left is whether
//! the values fit the type, which only the type knows.

use serde::de::DeserializeOwned;

use super::error::DatasetError;
use super::format::Format;

/// Every row of the file, or the first one that does not fit `T`.
pub(super) fn rows<T: DeserializeOwned>(
    path: &'static str,
    bytes: &[u8],
    format: Format,
) -> Result<Vec<T>, DatasetError> {
    // dataset! counts columns from after a byte order mark; so do these errors.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let place = Place { path, bytes };
    match format {
        Format::Csv => csv(&place),
        Format::JsonLines => json_lines(&place),
    }
}

/// The file, to turn byte offsets into lines and columns.
struct Place<'a> {
    path: &'static str,
    bytes: &'a [u8],
}

impl Place<'_> {
    fn error(&self, offset: usize, message: String) -> DatasetError {
        let before = &self.bytes[..offset.min(self.bytes.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        DatasetError::Invalid {
            path: self.path,
            line: line as u64,
            column: column as u64,
            message,
        }
    }
}

/// `User` for `my_tests::User`, for messages.
pub(super) fn type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    let start = base.rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}

const FIX_VALUE: &str = "fix the value, or change the field's type";

fn csv<T: DeserializeOwned>(place: &Place) -> Result<Vec<T>, DatasetError> {
    let mut reader = csv::Reader::from_reader(place.bytes);
    let headers = reader.headers().map_err(|e| unreadable(place, &e))?.clone();
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(rows),
            Err(e) => return Err(unreadable(place, &e)),
        }
        match record.deserialize::<T>(Some(&headers)) {
            Ok(row) => rows.push(row),
            Err(e) => return Err(csv_misfit::<T>(place, &headers, &e)),
        }
    }
}

/// A CSV error that is not about the values (the structure `dataset!` checked, seen again).
fn unreadable(place: &Place, error: &csv::Error) -> DatasetError {
    let offset = error.position().map_or(0, |p| p.byte() as usize);
    place.error(offset, format!("{error}"))
}

/// A record that does not deserialize into `T`: placed at the field when csv names it.
fn csv_misfit<T>(place: &Place, headers: &csv::StringRecord, error: &csv::Error) -> DatasetError {
    let csv::ErrorKind::Deserialize { pos, err } = error.kind() else {
        return unreadable(place, error);
    };
    let record_start = pos.as_ref().map_or(0, |p| p.byte() as usize);
    let ty = type_name::<T>();
    let detail = err.kind().to_string();
    if let Some(field) = detail
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let columns: Vec<String> = headers.iter().map(|h| format!("`{h}`")).collect();
        return place.error(
            0,
            format!(
                "the header has no column `{field}`, which `{ty}` needs (it has {}); add the column, or give the field `#[serde(default)]` or an `Option` type",
                columns.join(", ")
            ),
        );
    }
    match err.field().map(|f| f as usize) {
        Some(index) => {
            let name = headers.get(index).unwrap_or("?");
            place.error(
                field_start(place.bytes, record_start, index),
                format!(
                    "column `{name}`: {detail}; the value does not fit the field for column `{name}` of `{ty}`: {FIX_VALUE}"
                ),
            )
        }
        None => place.error(
            field_start(place.bytes, record_start, 0),
            format!("{detail}; this row does not fit `{ty}`: {FIX_VALUE}"),
        ),
    }
}

/// Where field `index` of the record at `record_start` begins, split as csv splits it.
fn field_start(bytes: &[u8], record_start: usize, index: usize) -> usize {
    let mut at = record_start.min(bytes.len());
    // csv places a record before the line ends that precede it (blank lines, `\r\n`).
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    let mut reader = csv_core::Reader::new();
    let mut out = [0u8; 1024];
    for _ in 0..index {
        loop {
            let (result, read, _) = reader.read_field(&bytes[at..], &mut out);
            at += read;
            match result {
                csv_core::ReadFieldResult::Field { record_end: false } => break,
                // The output buffer is only scratch: a longer field just takes more calls.
                csv_core::ReadFieldResult::OutputFull => {}
                // The record has fewer fields than asked for: point at its start.
                _ => return record_start,
            }
        }
    }
    at
}

fn json_lines<T: DeserializeOwned>(place: &Place) -> Result<Vec<T>, DatasetError> {
    let mut rows = Vec::new();
    let mut line_start = 0;
    for line in place.bytes.split_inclusive(|&b| b == b'\n') {
        let start = line_start;
        line_start += line.len();
        let content = line.trim_ascii_end();
        if content.trim_ascii_start().is_empty() {
            continue;
        }
        match serde_json::from_slice::<T>(content) {
            Ok(row) => rows.push(row),
            Err(e) => {
                let message = e.to_string();
                let position = format!(" at line {} column {}", e.line(), e.column());
                let message = message.strip_suffix(&position).unwrap_or(&message);
                let ty = type_name::<T>();
                let fix = if message.starts_with("missing field `") {
                    format!(
                        "add the field to this line's object, or give `{ty}`'s field `#[serde(default)]` or an `Option` type"
                    )
                } else {
                    format!("this object does not fit `{ty}`: {FIX_VALUE}")
                };
                return Err(place.error(
                    start + e.column().saturating_sub(1),
                    format!("{message}; {fix}"),
                ));
            }
        }
    }
    Ok(rows)
}
