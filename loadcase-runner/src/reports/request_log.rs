//! The request log (`--log-requests`) as the end of a run reports it: how many requests it
//! holds, and why it holds fewer than were sent when it could not be written.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use loadcase::plan::LogFormat;

/// The requests in the log at `path`, counted in the file: after a crash the test binary's last
/// report is behind what it had flushed. A line cut short by the crash is not counted. Only a
/// regular file is counted (a device such as /dev/full would be read for ever).
pub fn entries(path: &Path) -> io::Result<u64> {
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    match LogFormat::of(path) {
        Some(LogFormat::Csv) => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
            let mut record = csv::StringRecord::new();
            let mut count = 0;
            let columns = reader.headers().map_or(0, csv::StringRecord::len);
            // A row cut short has fewer fields than the header.
            while reader.read_record(&mut record).unwrap_or(false) {
                count += u64::from(record.len() == columns);
            }
            Ok(count)
        }
        _ => complete_lines(file),
    }
}

fn complete_lines(file: impl Read) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut count = 0;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(count);
        }
        count += memchr::memchr_iter(b'\n', buffer).count() as u64;
        let n = buffer.len();
        reader.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_entries_count() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("r.jsonl");
        std::fs::write(&jsonl, "{\"a\":1}\n{\"a\":2}\n{\"a\"").unwrap();
        assert_eq!(entries(&jsonl).unwrap(), 2);
        let csv = dir.path().join("r.csv");
        std::fs::write(&csv, "a,b,c\n1,\"two\nlines\",3\n4,5,6\n7,8").unwrap();
        assert_eq!(entries(&csv).unwrap(), 2);
        assert!(entries(&dir.path().join("none.jsonl")).is_err());
        #[cfg(unix)]
        {
            let device = dir.path().join("full.jsonl");
            std::os::unix::fs::symlink("/dev/full", &device).unwrap();
            assert!(entries(&device).is_err(), "not read for ever");
        }
    }
}
