//! The file formats of a dataset.

/// The file formats of a [`Dataset`](crate::Dataset). Set by `dataset!` from the file's extension.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.csv` with a header row.
    Csv,
    /// `.jsonl` / `.ndjson`: one JSON object per line.
    JsonLines,
}
