//! Following a run from another process: `attach` shows its live progress from the cumulative
//! snapshots of its run directory (so rates are over the whole run, whenever one attaches), and
//! its summary once it ends; `stop` asks it to stop and follows it to that summary.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use console::style;
use loadcase::Plan;

use super::run_dir::{self, RunDir, RunInfo, State};
use crate::progress::Display;
use crate::signal;

/// How often a follower reads the run's snapshot.
const READ_EVERY: Duration = Duration::from_millis(250);

/// The root of the cargo workspace here, if there is one.
pub fn workspace_root() -> Option<PathBuf> {
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let manifest = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    manifest.parent().map(Path::to_owned)
}

/// Where the runs seen from here keep their directories.
pub fn runs() -> PathBuf {
    run_dir::runs_dir(workspace_root().as_deref())
}

/// The run `id` names, or the newest one in progress.
pub fn pick(runs_dir: &Path, id: Option<&str>) -> Result<(RunDir, RunInfo)> {
    let runs = run_dir::list(runs_dir);
    if let Some(id) = id {
        let found = runs.iter().find(|(_, info, _)| info.id == id);
        return match found {
            Some((dir, info, _)) => Ok((dir.clone(), info.clone())),
            None => {
                let known: Vec<&str> = runs.iter().take(5).map(|(_, i, _)| i.id.as_str()).collect();
                let known = if known.is_empty() {
                    "there are none".to_owned()
                } else {
                    format!("the newest are {}", known.join(", "))
                };
                bail!(
                    "no run `{id}` under {}; {known} (cargo loadrun ps lists them)",
                    runs_dir.display()
                )
            }
        };
    }
    match runs
        .into_iter()
        .find(|(_, _, state)| *state == State::Running)
    {
        Some((dir, info, _)) => Ok((dir, info)),
        None => bail!(
            "no run in progress under {}; start one with cargo loadrun TEST --detach, or name an ended one (cargo loadrun ps)",
            runs_dir.display()
        ),
    }
}

/// How a run is followed.
pub enum Follow {
    /// `attach` and `stop`: progress (none when quiet), then the summary; a Ctrl-C leaves the
    /// run running.
    Plain {
        /// No progress display.
        quiet: bool,
    },
    /// A run started on a terminal: its output relayed from `output` too, and a Ctrl-C asks
    /// whether to stop the run or leave it running.
    Asking {
        /// The run's output, as it is written.
        output: BufReader<File>,
        /// No progress display.
        quiet: bool,
    },
}

/// Follows run `dir` until it ends: its progress on stderr, then its summary on stdout; returns
/// its exit code, or 0 when the user leaves it running.
pub fn follow(dir: &RunDir, info: &RunInfo, mut how: Follow) -> Result<u8> {
    let plan: Plan = info
        .plan
        .parse()
        .unwrap_or_else(|_| "-u 1 -c 1".parse().expect("a plan"));
    let quiet = match how {
        Follow::Plain { quiet } | Follow::Asking { quiet, .. } => quiet,
    };
    let mut display = Display::new(quiet, &info.test, &plan);
    let mut interrupts = signal::interrupts();
    let mut stopping = false;
    let mut last_progress = Instant::now();
    let mut line = String::new();
    loop {
        if let Follow::Asking { output, .. } = &mut how {
            while output.read_line(&mut line)? > 0 {
                display.output(&[line.trim_end_matches('\n')]);
                line.clear();
            }
        }
        match dir.state() {
            State::Done(code) => {
                display.finish();
                if let Some(printed) = dir.printed() {
                    print!("{printed}");
                }
                return Ok(code);
            }
            State::Stale => {
                display.finish();
                eprintln!(
                    "{} run {} is stale: its runner (pid {}) ended without saying how the run ended; its last figures are in {}",
                    style("error:").red().bold(),
                    info.id,
                    info.pid,
                    dir.path().join("snapshot.json").display()
                );
                return Ok(crate::exit::HITS_FAILED);
            }
            State::Running => {}
        }
        if signal::interrupts() > interrupts {
            interrupts = signal::interrupts();
            let stop = match &how {
                Follow::Plain { .. } => false,
                // Once stopping, a Ctrl-C is the second one, which kills the test binary.
                Follow::Asking { .. } if stopping => true,
                Follow::Asking { .. } => ask(&mut display),
            };
            if !stop {
                display.finish();
                eprintln!(
                    "detached: run {} goes on; cargo loadrun attach {} follows it again, cargo loadrun stop {} stops it",
                    info.id, info.id, info.id
                );
                return Ok(crate::exit::SUCCESS);
            }
            stopping = true;
            super::run_dir::stop(info)?;
        }
        if last_progress.elapsed() >= READ_EVERY {
            last_progress = Instant::now();
            if let Some(progress) = dir.progress() {
                display.progress(&progress);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Asks on the terminal whether to stop the run or leave it running; true to stop.
fn ask(display: &mut Display) -> bool {
    let term = console::Term::stderr();
    let mut stop = None;
    display.suspend(|| {
        let _ = term.write_str("(s)top or (d)etach? ");
        while stop.is_none() {
            match term.read_char() {
                Ok('s' | 'S') => stop = Some(true),
                Ok('d' | 'D') => stop = Some(false),
                Ok(_) => {}
                // No terminal to read from after all: stop, as Ctrl-C does elsewhere.
                Err(_) => stop = Some(true),
            }
        }
        let _ = term.write_line(if stop == Some(true) { "stop" } else { "detach" });
    });
    stop.unwrap_or(true)
}

/// `cargo loadrun ps`: the runs in progress, and those ended or stale in the last day.
pub fn ps(runs_dir: &Path) -> String {
    let day_ago = run_dir::now_ms().saturating_sub(24 * 3600 * 1000);
    let runs: Vec<_> = run_dir::list(runs_dir)
        .into_iter()
        .filter(|(_, info, state)| *state == State::Running || info.started_unix_ms >= day_ago)
        .collect();
    if runs.is_empty() {
        return format!(
            "no runs under {} (cargo loadrun TEST --detach starts one in the background)\n",
            runs_dir.display()
        );
    }
    let mut out = format!(
        "{:<22} {:<13} {:>8} {:>10} {:>9}  {}\n",
        "RUN", "STATE", "ELAPSED", "HITS", "HITS/S", "TEST"
    );
    for (dir, info, state) in runs {
        let snapshot = dir.snapshot();
        let (elapsed, hits) = snapshot.as_ref().map_or((0.0, 0), |s| {
            (s.report.elapsed_secs, s.report.stats.hits.total())
        });
        let rate = if elapsed > 0.0 {
            hits as f64 / elapsed
        } else {
            0.0
        };
        let state = match state {
            State::Running => "running".to_owned(),
            State::Done(code) => format!("ended ({code})"),
            State::Stale => "stale".to_owned(),
        };
        out.push_str(&format!(
            "{:<22} {:<13} {:>7.1}s {:>10} {:>9.1}  {}\n",
            info.id, state, elapsed, hits, rate, info.test
        ));
    }
    out
}
