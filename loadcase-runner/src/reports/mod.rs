//! Report files (`--report PATH`, repeatable): the format follows the extension; and what the
//! [`request_log`] holds.

mod csv;
mod html;
mod json;
mod junit;
pub mod request_log;
pub mod segment;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use loadcase::__private::runner::create_private;
use loadcase::Report;
use loadcase::report::Verdict;

use self::segment::Extra;

/// A report format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Everything, histograms included, mergeable.
    Json,
    /// One self-contained page with plots.
    Html,
    /// JUnit XML, one test case per load test.
    Junit,
    /// The per-request table.
    Csv,
}

impl Format {
    /// The format of `path`'s extension, if it is one.
    fn of_extension(path: &Path) -> Option<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        Some(match ext.as_deref()? {
            "json" => Format::Json,
            "html" | "htm" => Format::Html,
            "xml" => Format::Junit,
            "csv" => Format::Csv,
            _ => return None,
        })
    }

    /// The format of `path`, or a message naming the extensions that work; `source` is where
    /// the path came from (`--report`, or a profile's key).
    pub fn of(path: &Path, source: &str) -> Result<Format> {
        match Format::of_extension(path) {
            Some(format) => Ok(format),
            None => bail!(
                "{source} {}: unknown format; end the path in .json, .html, .xml (JUnit) or .csv",
                path.display()
            ),
        }
    }
}

/// Checks every path before the run — its format, and that a file can be written there — so
/// that neither a typo nor a place that cannot be written to costs a run.
pub fn check(paths: &[PathBuf], source: &str) -> Result<()> {
    for path in paths {
        Format::of(path, source)?;
        writable(path, source)?;
    }
    Ok(())
}

/// Whether a report can be written to `path`: its directory is created (as writing it would),
/// and the temporary file it is written through is created there and removed.
fn writable(path: &Path, source: &str) -> Result<()> {
    let shown = path.display();
    if path.is_dir() {
        bail!("{source} {shown}: this is a directory; give the report a file name in it");
    }
    let tmp = temporary(path).map_err(|e| anyhow!("{source} {shown}: {e:#}"))?;
    create_private(&tmp).map_err(|e| {
        anyhow!("{source} {shown}: cannot write a file there ({e}); give a path in a directory you can write to")
    })?;
    let _ = std::fs::remove_file(&tmp);
    Ok(())
}

/// The temporary file a report is written through, beside it, its directory created.
fn temporary(path: &Path) -> Result<PathBuf> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    Ok(PathBuf::from(tmp))
}

/// Renders `report` in `format`; a JSON report carries `extra` beside it.
pub fn render(
    format: Format,
    report: &Report,
    verdicts: &[Verdict],
    summary: &str,
    extra: &Extra<'_>,
) -> String {
    match format {
        Format::Json => json::render(report, verdicts, extra),
        Format::Html => html::render(report, verdicts),
        Format::Junit => junit::render(report, verdicts, summary),
        Format::Csv => csv::render(report),
    }
}

/// Writes every report; each failure is reported and the others are still written. JSON reports
/// carry `extra` beside the report (a segment's or a merge's).
pub fn write_all(
    paths: &[PathBuf],
    report: &Report,
    verdicts: &[Verdict],
    summary: &str,
    extra: &Extra<'_>,
) -> Result<()> {
    let mut failed = Vec::new();
    for path in paths {
        let written = Format::of(path, "--report")
            .and_then(|format| write(path, &render(format, report, verdicts, summary, extra)));
        match written {
            Ok(()) => eprintln!("report written to {}", path.display()),
            Err(e) => failed.push(format!("{e:#}")),
        }
    }
    if !failed.is_empty() {
        bail!("{}", failed.join("\n"));
    }
    Ok(())
}

/// Writes `contents` through a temporary file renamed into place, so a reader never sees half a
/// report; parent directories are created, the file is its owner's only, and a temporary file
/// that could not be written in full (a full disk) is removed.
pub fn write(path: &Path, contents: &str) -> Result<()> {
    let tmp = temporary(path)?;
    let written = create_private(&tmp)
        .and_then(|mut file| {
            file.write_all(contents.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write the report {}", path.display()))
}
