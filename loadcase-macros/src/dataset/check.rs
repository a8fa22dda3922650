//! The structure checks of `dataset!`: what can be known of a data file without the type its
//! rows deserialize into. Each problem is placed at a line and a column (1-based, columns in
//! characters, as rustc counts them) and says how to fix it.

use std::fmt;

use csv_core::{ReadFieldResult, Reader};

/// The formats `dataset!` reads, told apart by the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// `.csv`: a header row, then one record per row.
    Csv,
    /// `.jsonl`, `.ndjson`: one JSON object per line; blank lines are skipped.
    JsonLines,
}

impl Format {
    pub(crate) fn of(path: &str) -> Option<Format> {
        let (_, extension) = path.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// A problem in a data file, displayed as `LINE:COLUMN: message`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    line: usize,
    column: usize,
    message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl Problem {
    /// A problem at byte `offset` of `text`.
    fn at(text: &str, offset: usize, message: String) -> Problem {
        let (line, column) = line_column(text, offset);
        Problem {
            line,
            column,
            message,
        }
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// Checks the structure of a data file; returns its number of rows.
pub(crate) fn structure(format: Format, bytes: &[u8]) -> Result<usize, Problem> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            return Err(Problem::at(
                valid,
                valid.len(),
                "this byte is not UTF-8; save the file as UTF-8".to_owned(),
            ));
        }
    };
    // A byte order mark is invisible in editors; columns count from after it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        Format::Csv => csv(text),
        Format::JsonLines => json_lines(text),
    }
}

/// One field as it is written in the file: where it starts, where its text ends (before the
/// delimiter or line end), and its unquoted value.
struct RawField {
    start: usize,
    end: usize,
    value: String,
    record_end: bool,
}

/// The fields of a CSV text, as csv-core (and so the `csv` crate) splits them.
struct Fields<'a> {
    reader: Reader,
    input: &'a [u8],
    at: usize,
    out: Vec<u8>,
    record_start: bool,
    done: bool,
}

impl<'a> Fields<'a> {
    fn new(text: &'a str) -> Self {
        Fields {
            reader: Reader::new(),
            input: text.as_bytes(),
            at: 0,
            out: vec![0; 256],
            record_start: true,
            done: false,
        }
    }
}

impl Iterator for Fields<'_> {
    type Item = RawField;

    fn next(&mut self) -> Option<RawField> {
        if self.done {
            return None;
        }
        // Line ends before a record (the `\n` of `\r\n`, blank lines) belong to no field;
        // csv-core skips them, and so does the field's place.
        let mut start = self.at;
        if self.record_start {
            while start < self.input.len() && matches!(self.input[start], b'\r' | b'\n') {
                start += 1;
            }
        }
        let mut written = 0;
        loop {
            let (result, read, wrote) = self
                .reader
                .read_field(&self.input[self.at..], &mut self.out[written..]);
            self.at += read;
            written += wrote;
            match result {
                // An empty input is how csv-core is told the text has ended.
                ReadFieldResult::InputEmpty => {}
                ReadFieldResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadFieldResult::Field { record_end } => {
                    let mut end = self.at;
                    if end > start && matches!(self.input[end - 1], b',' | b'\r' | b'\n') {
                        end -= 1;
                    }
                    self.record_start = record_end;
                    return Some(RawField {
                        start,
                        end,
                        value: String::from_utf8_lossy(&self.out[..written]).into_owned(),
                        record_end,
                    });
                }
                ReadFieldResult::End => {
                    self.done = true;
                    return None;
                }
            }
        }
    }
}

/// A quoted field must close its quote, and nothing may follow the closing quote but the
/// delimiter or the line end (`"a"b` is a mistake csv would silently read as `ab`).
fn check_quotes(text: &str, field: &RawField) -> Result<(), Problem> {
    let bytes = text.as_bytes();
    if bytes.get(field.start) != Some(&b'"') {
        return Ok(());
    }
    let mut i = field.start + 1;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            if bytes.get(i + 1) == Some(&b'"') {
                i += 2;
                continue;
            }
            return match bytes.get(i + 1) {
                None | Some(b',' | b'\r' | b'\n') => Ok(()),
                Some(_) => Err(Problem::at(
                    text,
                    i + 1,
                    "text after the closing quote of a quoted field; put the whole value inside the quotes, and write a quote inside them as `\"\"`".to_owned(),
                )),
            };
        }
        i += 1;
    }
    Err(Problem::at(
        text,
        field.start,
        "this quote is never closed: the field runs to the end of the file; close it with `\"`, and write a quote inside a quoted field as `\"\"`".to_owned(),
    ))
}

/// The records of a CSV text, each a list of its fields, checked for quoting.
fn records(text: &str) -> impl Iterator<Item = Result<Vec<RawField>, Problem>> + '_ {
    let mut fields = Fields::new(text);
    std::iter::from_fn(move || {
        let mut record = Vec::new();
        for field in fields.by_ref() {
            if let Err(problem) = check_quotes(text, &field) {
                return Some(Err(problem));
            }
            let end = field.record_end;
            record.push(field);
            if end {
                return Some(Ok(record));
            }
        }
        (!record.is_empty()).then_some(Ok(record))
    })
}

/// CSV: a header naming each column once, then rows with one field per column.
fn csv(text: &str) -> Result<usize, Problem> {
    let mut records = records(text);
    let header = match records.next() {
        Some(header) => header?,
        None => {
            return Err(Problem::at(
                text,
                0,
                "the file is empty: a CSV dataset starts with a header row naming the columns (`id,name,email`), then has one row per line".to_owned(),
            ));
        }
    };
    for (i, field) in header.iter().enumerate() {
        if field.value.trim().is_empty() {
            return Err(Problem::at(
                text,
                field.start,
                format!(
                    "column {} of the header has no name; name every column (a `,` at the end of the header makes an empty one)",
                    i + 1
                ),
            ));
        }
        if let Some(first) = header[..i].iter().position(|f| f.value == field.value) {
            return Err(Problem::at(
                text,
                field.start,
                format!(
                    "the header names column `{}` twice (columns {} and {}); give each column its own name",
                    field.value,
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    let names: Vec<String> = header.iter().map(|f| format!("`{}`", f.value)).collect();
    let header_line = line_column(text, header[0].start).0;
    let mut rows = 0;
    for record in records {
        let record = record?;
        if record.len() != header.len() {
            let at = match record.get(header.len()) {
                Some(extra) => extra.start,
                None => record.last().map_or(0, |last| last.end),
            };
            return Err(Problem::at(
                text,
                at,
                format!(
                    "this row has {} field{} but the header (line {header_line}) has {} ({}); give each row one value per column, and quote values that contain `,`",
                    record.len(),
                    if record.len() == 1 { "" } else { "s" },
                    header.len(),
                    names.join(", "),
                ),
            ));
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(Problem::at(
            text,
            text.len(),
            "the file has a header but no rows; add the rows after the header, one per line"
                .to_owned(),
        ));
    }
    Ok(rows)
}

/// JSON lines: every line that is not blank holds one JSON object.
fn json_lines(text: &str) -> Result<usize, Problem> {
    let mut rows = 0;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let start = line_start;
        line_start += line.len();
        let indent = content.len() - content.trim_start().len();
        if content.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(content) {
            Ok(serde_json::Value::Object(_)) => rows += 1,
            Ok(other) => {
                let found = match other {
                    serde_json::Value::Array(_) => "an array",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::Bool(_) => "a boolean",
                    _ => "null",
                };
                return Err(Problem::at(
                    text,
                    start + indent,
                    format!(
                        "expected a JSON object `{{…}}`, found {found}; each line of a JSON lines dataset is one object, whose fields are the row's"
                    ),
                ));
            }
            Err(e) => {
                let message = e.to_string();
                let position = format!(" at line {} column {}", e.line(), e.column());
                let message = message.strip_suffix(&position).unwrap_or(&message);
                return Err(Problem::at(
                    text,
                    start + e.column().saturating_sub(1),
                    format!(
                        "{message}; each line of a JSON lines dataset must be one whole JSON object"
                    ),
                ));
            }
        }
    }
    if rows == 0 {
        return Err(Problem::at(
            text,
            text.len(),
            "the file has no rows: a JSON lines dataset has one JSON object per line, `{\"id\": 1, \"name\": \"ann\"}`".to_owned(),
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_problem(text: &str) -> String {
        structure(Format::Csv, text.as_bytes())
            .unwrap_err()
            .to_string()
    }

    fn jsonl_problem(text: &str) -> String {
        structure(Format::JsonLines, text.as_bytes())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn good_csv_counts_its_rows() {
        let text = "id,name,email\n1,ann,a@x\n\n2,\"bob, jr\",\"b\"\"@x\"\r\n3,\"multi\nline\",c@x";
        assert_eq!(structure(Format::Csv, text.as_bytes()), Ok(3));
        // A byte order mark, and a quote inside an unquoted field (csv reads it as it is).
        let text = "\u{feff}id,size\n1,5'10\"\n";
        assert_eq!(structure(Format::Csv, text.as_bytes()), Ok(1));
    }

    #[test]
    fn csv_rows_with_the_wrong_number_of_fields_are_placed() {
        assert!(
            csv_problem("id,name\n1,ann\n2,bob,extra\n").starts_with(
                "3:7: this row has 3 fields but the header (line 1) has 2 (`id`, `name`);"
            ),
            "{}",
            csv_problem("id,name\n1,ann\n2,bob,extra\n")
        );
        // A short row: at the end of its last field.
        assert!(csv_problem("id,name\n1,ann\n2\n").starts_with("3:2: this row has 1 field "));
        // Lines are counted through quoted line breaks and blank lines; columns in characters.
        assert!(csv_problem("id,name\n\"é\nx\",ann\n\nzz,ö,x\n").starts_with("5:6: "));
        assert!(csv_problem("\r\n\r\nid,name\r\n1,ann,x\r\n").starts_with("4:7: "));
    }

    #[test]
    fn csv_quotes_must_close_and_end_the_field() {
        assert!(
            csv_problem("id,name\n1,\"ann\"x\n").starts_with("2:8: text after the closing quote"),
            "{}",
            csv_problem("id,name\n1,\"ann\"x\n")
        );
        assert!(
            csv_problem("id,name\n1,ann\n2,\"bob\n3,cid\n")
                .starts_with("3:3: this quote is never closed")
        );
        assert!(csv_problem("\"id,name\n").starts_with("1:1: this quote is never closed"));
    }

    #[test]
    fn csv_headers_name_each_column_once() {
        assert_eq!(
            csv_problem(""),
            "1:1: the file is empty: a CSV dataset starts with a header row naming the columns (`id,name,email`), then has one row per line"
        );
        assert!(csv_problem("\n\n").starts_with("1:1: the file is empty"));
        assert!(
            csv_problem("id,name,\n1,a,\n").starts_with("1:9: column 3 of the header has no name")
        );
        assert!(
            csv_problem("id,name,id\n1,a,2\n")
                .starts_with("1:9: the header names column `id` twice (columns 1 and 3)")
        );
        assert!(csv_problem("id,name\n").starts_with("2:1: the file has a header but no rows"));
    }

    #[test]
    fn non_utf8_is_placed() {
        let problem = structure(Format::Csv, b"id,name\n1,\xe9\n").unwrap_err();
        assert_eq!(
            problem.to_string(),
            "2:3: this byte is not UTF-8; save the file as UTF-8"
        );
    }

    #[test]
    fn good_json_lines_count_their_objects() {
        let text = "{\"id\": 1}\n\n   \r\n{\"id\": 2, \"tags\": [\"a\"]}\r\n{\"id\":3}";
        assert_eq!(structure(Format::JsonLines, text.as_bytes()), Ok(3));
    }

    #[test]
    fn json_lines_problems_are_placed() {
        assert_eq!(
            jsonl_problem("{\"id\": 1}\n{\"id\": 2,, \"name\": \"b\"}\n"),
            "2:10: key must be a string; each line of a JSON lines dataset must be one whole JSON object"
        );
        assert!(
            jsonl_problem("{\"id\": 1}\n  [1, 2]\n")
                .starts_with("2:3: expected a JSON object `{…}`, found an array;")
        );
        // An object split over lines: each line is read on its own.
        assert!(
            jsonl_problem("{\"id\": 1,\n\"name\": \"a\"}\n").starts_with("1:9: EOF while parsing")
        );
        assert!(jsonl_problem("\n \n").starts_with("3:1: the file has no rows"));
        assert!(jsonl_problem("{\"é\": 1} x\n").starts_with("1:10: trailing characters"));
    }
}
