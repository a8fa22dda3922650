//! What the summary says about the users' setups and teardowns (the hooks around their hits),
//! and about the hits that a failed setup kept from running.

use std::fmt::Write;

use loadcase::report::{HookStats, Stats};

use crate::text::format::human;

/// After Loads' block: the run's setup and teardown lines; nothing when neither ran.
pub fn render(out: &mut String, stats: &Stats) {
    let mut hooks = String::new();
    lines(&mut hooks, stats, "");
    if !hooks.is_empty() {
        let _ = write!(out, "\n{hooks}");
    }
}

/// `Setup: 100 ran, 98 ok, 2 failed · p50 1.2ms, p95 3.4ms, p99 5.1ms`, the hits that did not
/// run for it, and the same for the teardown; nothing for what did not run.
pub fn lines(out: &mut String, stats: &Stats, indent: &str) {
    line(out, "Setup", &stats.setup, indent);
    if stats.hits.not_run > 0 {
        let _ = writeln!(
            out,
            "{indent}Hits not run (setup failed): {}",
            stats.hits.not_run
        );
    }
    line(out, "Teardown", &stats.teardown, indent);
}

fn line(out: &mut String, label: &str, hook: &HookStats, indent: &str) {
    if hook.total() == 0 {
        return;
    }
    let _ = write!(
        out,
        "{indent}{label}: {} ran, {} ok, {} failed",
        hook.total(),
        hook.success,
        hook.errors + hook.failures
    );
    if !hook.time.is_empty() {
        let t = &hook.time;
        let _ = write!(
            out,
            " · p50 {}, p95 {}, p99 {}",
            human(t.quantile(0.50)),
            human(t.quantile(0.95)),
            human(t.quantile(0.99))
        );
    }
    let _ = writeln!(out);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn render_of(stats: &Stats) -> String {
        let mut out = String::new();
        render(&mut out, stats);
        out
    }

    #[test]
    fn nothing_without_setup_or_teardown() {
        let mut stats = Stats::default();
        stats.hits.success = 10;
        assert_eq!(render_of(&stats), "");
    }

    #[test]
    fn setup_and_teardown_lines_say_what_ran_and_what_did_not() {
        let mut stats = Stats::default();
        stats.hits.success = 10;
        stats.setup.success = 98;
        stats.setup.errors = 1;
        stats.setup.failures = 1;
        for _ in 0..100 {
            stats.setup.time.record(Duration::from_millis(3));
        }
        stats.hits.not_run = 20;
        let text = render_of(&stats);
        assert!(
            text.starts_with(
                "\nSetup: 100 ran, 98 ok, 2 failed · p50 3.0ms, p95 3.0ms, p99 3.0ms\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("\nHits not run (setup failed): 20\n"),
            "{text}"
        );
        assert!(!text.contains("Teardown"), "no teardown ran: {text}");
        stats.teardown.success = 5;
        assert!(render_of(&stats).contains("Teardown: 5 ran, 5 ok, 0 failed\n"));
    }
}
