//! `--log-requests`: where to log every request, and in which format.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where and how to log requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSpec {
    /// The file, `.jsonl` or `.csv`.
    pub path: PathBuf,
    /// Headers redacted besides Authorization, Proxy-Authorization, Cookie and Set-Cookie.
    #[serde(default)]
    pub redact_headers: Vec<String>,
}

/// The format of a log file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line.
    JsonLines,
    /// A header row, then one row per request.
    Csv,
}

impl LogFormat {
    /// The format `path`'s extension names, if any.
    pub fn of(path: &Path) -> Option<LogFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Some(LogFormat::JsonLines),
            "csv" => Some(LogFormat::Csv),
            _ => None,
        }
    }
}
