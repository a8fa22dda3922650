//! What the user sees while a load runs: a progress bar on a terminal, a status line every few
//! seconds elsewhere (CI logs), nothing with `-q`; and the test binary's own output, relayed
//! above the bar without libtest's chatter.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loadcase::Plan;
use loadcase::Progress;
use loadcase::plan::Shape;

/// How often the status line is printed when stderr is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(5);

enum Mode {
    Bar(ProgressBar),
    /// Status lines: when the last was printed, for which stage, and the newest progress not
    /// yet printed (printed by `finish`, so a log always ends with the final counts).
    Lines {
        last: Instant,
        stage: usize,
        pending: Option<String>,
    },
    Quiet,
}

pub struct Display {
    mode: Mode,
    test_name: String,
    stage_secs: Option<f64>,
}

/// Equal `-u` stages of `-d` each with nothing between them: the bar can follow the stages, and
/// wait at a stage's end while its last hits finish. Any other timed plan follows the clock.
fn equal_stages(plan: &Plan) -> Option<f64> {
    let Shape::Fixed {
        users, pause: None, ..
    } = &plan.shape
    else {
        return None;
    };
    plan.total_duration()
        .map(|d| d.as_secs_f64() / users.len() as f64)
}

impl Display {
    pub fn new(quiet: bool, test_name: &str, plan: &Plan) -> Display {
        let stage_secs = equal_stages(plan);
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let (length, template) = match (plan.total_hits(), plan.total_duration()) {
                (Some(hits), _) => (
                    hits,
                    "{spinner} {prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} hits  {msg}",
                ),
                (None, Some(d)) => (
                    d.as_millis() as u64,
                    "{spinner} {prefix} [{elapsed_precise}] {wide_bar} {percent}%  {msg}",
                ),
                (None, None) => (1, "{spinner} {prefix} {msg}"),
            };
            let bar =
                ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr_with_hz(10));
            bar.set_style(
                ProgressStyle::with_template(template)
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(test_name.to_owned());
            Mode::Bar(bar)
        } else {
            Mode::Lines {
                last: Instant::now(),
                stage: 0,
                pending: None,
            }
        };
        Display {
            mode,
            test_name: test_name.to_owned(),
            stage_secs,
        }
    }

    pub fn progress(&mut self, p: &Progress) {
        let status = status(p);
        match &mut self.mode {
            Mode::Bar(bar) => {
                let position = match (self.stage_secs, p.planned_secs) {
                    (None, Some(planned)) => (p.elapsed_secs.min(planned) * 1000.0) as u64,
                    _ => bar_position(p, self.stage_secs),
                };
                bar.set_position(position);
                bar.set_message(format!("{status}{}", time_left(p)));
            }
            Mode::Lines {
                last,
                stage,
                pending,
            } => {
                let line = status_line(p, &self.test_name, &status);
                if last.elapsed() >= LINE_EVERY || p.stage != *stage {
                    *last = Instant::now();
                    *stage = p.stage;
                    *pending = None;
                    eprintln!("{line}");
                } else {
                    *pending = Some(line);
                }
            }
            Mode::Quiet => {}
        }
    }

    /// Prints lines of the test binary's output, already filtered, under one suspension of the
    /// bar. Everything the test prints goes to stderr: stdout carries the summary alone, so
    /// that the user's own prints can never be mistaken for it.
    pub fn output(&mut self, lines: &[&str]) {
        if lines.is_empty() {
            return;
        }
        let print = || {
            let mut err = std::io::stderr().lock();
            for line in lines {
                let _ = writeln!(err, "{line}");
            }
        };
        match &self.mode {
            Mode::Bar(bar) => bar.suspend(print),
            _ => print(),
        }
    }

    /// Runs `f` with the bar out of the way (a question on the terminal).
    pub fn suspend(&mut self, f: impl FnOnce()) {
        match &self.mode {
            Mode::Bar(bar) => bar.suspend(f),
            _ => f(),
        }
    }

    /// A message from the runner itself.
    pub fn note(&mut self, text: &str) {
        match &self.mode {
            Mode::Bar(bar) => bar.suspend(|| eprintln!("{text}")),
            _ => eprintln!("{text}"),
        }
    }

    /// Removes the bar before the summary is printed.
    pub fn finish(&mut self) {
        match &mut self.mode {
            Mode::Bar(bar) => bar.finish_and_clear(),
            Mode::Lines { pending, .. } => {
                if let Some(line) = pending.take() {
                    eprintln!("{line}");
                }
            }
            Mode::Quiet => {}
        }
    }
}

/// The bar's position: hits done, or in duration mode milliseconds of the plan done — whole
/// stages plus this stage's share — so that it stays right across stages and the grace period.
pub fn bar_position(p: &Progress, stage_secs: Option<f64>) -> u64 {
    match stage_secs {
        Some(stage) => {
            let done = p.stage.saturating_sub(1) as f64 * stage + p.stage_elapsed_secs.min(stage);
            (done * 1000.0) as u64
        }
        None => p.hits,
    }
}

/// `[  12.0s] example::test_es · 240/1200 hits · stage 1/3 · …`, for logs. Past the planned
/// time, running hits are finishing, and the line says so.
fn status_line(p: &Progress, test_name: &str, status: &str) -> String {
    let done = match (p.planned_hits, p.planned_secs) {
        (Some(total), _) => format!("{}/{} hits", p.hits, total),
        (None, Some(secs)) if p.elapsed_secs > secs => {
            format!("{} hits, {secs}s planned, finishing running hits", p.hits)
        }
        (None, Some(secs)) => format!(
            "{} hits, {:.1}/{secs}s, {:.0}s left",
            p.hits,
            p.elapsed_secs,
            (secs - p.elapsed_secs).ceil()
        ),
        _ => format!("{} hits", p.hits),
    };
    format!("[{:>6.1}s] {test_name} · {done} · {status}", p.elapsed_secs)
}

/// ` · 12s left` where the plan has an end in time, ` · finishing running hits` past it.
fn time_left(p: &Progress) -> String {
    match p.planned_secs {
        Some(planned) if p.elapsed_secs <= planned => {
            format!(" · {:.0}s left", (planned - p.elapsed_secs).ceil())
        }
        Some(_) => " · finishing running hits".to_owned(),
        None => String::new(),
    }
}

/// `stage 1/3 · 10 users · 95 ok · 0 errors · 0 failures · 512 hits/s`.
pub fn status(p: &Progress) -> String {
    let rate = if p.elapsed_secs > 0.0 {
        p.hits as f64 / p.elapsed_secs
    } else {
        0.0
    };
    let dropped = if p.dropped > 0 {
        format!(" · {} dropped", p.dropped)
    } else {
        String::new()
    };
    format!(
        "stage {}/{} · {} users · {} ok · {} errors · {} failures{dropped} · {:.0} hits/s",
        p.stage, p.stages, p.active_users, p.success, p.errors, p.failures, rate
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(stage: usize, stage_elapsed_secs: f64, hits: u64) -> Progress {
        Progress {
            stage,
            stages: 3,
            stage_elapsed_secs,
            hits,
            elapsed_secs: 2.0,
            success: hits,
            ..Progress::default()
        }
    }

    #[test]
    fn the_bar_counts_hits_or_time_across_stages() {
        assert_eq!(bar_position(&at(2, 0.5, 120), None), 120);
        // 10 s stages: stage 2 at 2.5 s is 12.5 s into the plan.
        assert_eq!(bar_position(&at(2, 2.5, 0), Some(10.0)), 12_500);
        // Past the stage's end (hits finishing in the grace period) the bar waits at the boundary.
        assert_eq!(bar_position(&at(1, 13.0, 0), Some(10.0)), 10_000);
        assert_eq!(bar_position(&at(3, 10.0, 0), Some(10.0)), 30_000);
    }

    #[test]
    fn log_lines_show_fractional_plans_and_the_grace_period() {
        let mut p = at(1, 1.0, 40);
        p.planned_secs = Some(1.5);
        p.elapsed_secs = 1.0;
        assert!(status_line(&p, "t::x", "s").contains("40 hits, 1.0/1.5s, 1s left"));
        assert_eq!(time_left(&p), " · 1s left");
        p.elapsed_secs = 3.0;
        assert!(status_line(&p, "t::x", "s").contains("1.5s planned, finishing running hits"));
        assert_eq!(time_left(&p), " · finishing running hits");
        p.planned_secs = None;
        assert_eq!(time_left(&p), "", "a plan of hits has no end in time");
    }

    #[test]
    fn status_reads_stage_users_outcomes_and_rate() {
        let mut p = at(2, 1.0, 100);
        p.active_users = 20;
        p.errors = 3;
        assert_eq!(
            status(&p),
            "stage 2/3 · 20 users · 100 ok · 3 errors · 0 failures · 50 hits/s"
        );
        p.dropped = 7;
        assert!(status(&p).contains("0 failures · 7 dropped · 50 hits/s"));
    }
}
