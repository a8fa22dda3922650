//! The summary's warning for tests whose hits blocked their worker thread: while a hit holds
//! the thread (a busy loop, `std::thread::sleep`, synchronous I/O), no other user on it makes
//! progress, so the run measures the blocking, not the server.

use std::fmt::Write;

use loadcase::Report;
use loadcase::report::StallStats;

use crate::by_test::tests_of;
use crate::text::format::human;

/// Each test whose hits held their worker thread, with how often and how long, in the command
/// line's order.
pub fn blocked(report: &Report) -> Vec<(&str, &StallStats)> {
    let tests: Vec<(&str, &StallStats)> = if report.by_test.is_empty() {
        vec![(report.test.as_str(), &report.stats.stalls)]
    } else {
        tests_of(report)
            .into_iter()
            .map(|test| (test.path, &test.stats.stalls))
            .collect()
    };
    tests.into_iter().filter(|(_, s)| s.count > 0).collect()
}

/// A line per test whose hits held their thread, and the fix once; nothing when none did.
pub fn render(out: &mut String, report: &Report) {
    let blocking = blocked(report);
    if blocking.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nBlocked worker threads:");
    for (test, stalls) in blocking {
        let times = match stalls.count {
            1 => "once".to_owned(),
            n => format!("{n} times"),
        };
        let _ = writeln!(
            out,
            "  {test}: its hits held their worker thread without yielding {times} for a quarter \
             second or more, the longest {} (no other user on that thread ran meanwhile)",
            human(std::time::Duration::from_secs_f64(
                stalls.longest_secs.max(0.0)
            ))
        );
    }
    let _ = writeln!(
        out,
        "  Blocking calls (std::thread::sleep, synchronous I/O, CPU-heavy loops) belong in \
         tokio::task::spawn_blocking; use tokio::time::sleep to wait."
    );
}
