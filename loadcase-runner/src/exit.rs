//! Exit codes, as documented in `--help` and the README.

use std::process::ExitCode;

use loadcase::Report;

/// Every hit succeeded.
pub const SUCCESS: u8 = 0;
/// Some hits failed or ended in an error.
pub const HITS_FAILED: u8 = 1;
/// Usage error, build error, or the test binary crashed.
pub const USAGE: u8 = 2;
/// Interrupted by Ctrl-C.
pub const INTERRUPTED: u8 = 130;

/// The exit code a finished run deserves.
pub fn for_report(report: &Report) -> u8 {
    let hits = &report.stats.hits;
    if report.interrupted {
        INTERRUPTED
    } else if hits.errors + hits.failures > 0 || hits.total() == 0 {
        HITS_FAILED
    } else {
        SUCCESS
    }
}

pub fn code(code: u8) -> ExitCode {
    ExitCode::from(code)
}
