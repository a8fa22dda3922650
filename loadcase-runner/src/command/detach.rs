//! A run in the background: the same command line run again in a session of its own (no
//! terminal's Ctrl-C or hang-up reaches it), its output in its run directory. With `--detach`
//! the foreground waits until the load has begun — showing the build meanwhile — or the run has
//! ended, so that a usage or build error is seen here with its exit code; then it prints how to
//! follow the run. On a terminal every run goes this way, and the foreground follows it as
//! `attach` does: a Ctrl-C there asks whether to stop the run or to leave it running.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context as _, Result};
use console::style;

use loadcase::__private::runner::create_private;

use crate::live::run_dir::{self, RunDir, State};
use crate::live::{DETACHED_ID, view};
use crate::signal;

/// The run's messages and its test's output (its stderr), beside its state in its run directory.
pub const OUTPUT: &str = "output.log";

/// What the foreground does once the run is in the background.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Foreground {
    /// `--detach`: say how to follow the run, and return.
    Leave,
    /// On a terminal: follow the run to its end, asking on Ctrl-C whether to stop or detach.
    Follow,
}

/// Starts the command line again without `--detach`, in the background; with
/// [`Foreground::Leave`] returns 0 once its load has begun, with [`Foreground::Follow`] the
/// run's exit code; either way the exit code of a run that ended before its load began.
pub fn dispatch(foreground: Foreground, quiet: bool) -> Result<u8> {
    let id = run_dir::new_id(run_dir::now_ms(), std::process::id());
    let runs = view::runs();
    let dir = runs.join(&id);
    run_dir::create_private_dir(&dir)?;
    let log_path = dir.join(OUTPUT);
    let log = private_file(&log_path)?;
    let args: Vec<OsString> = std::env::args_os()
        .skip(1)
        .filter(|arg| arg != "--detach")
        .collect();
    let exe = std::env::current_exe().context("cannot find the runner's own executable")?;
    let mut command = Command::new(exe);
    command
        .args(args)
        .env(DETACHED_ID, &id)
        // Where this process waits for it, whatever workspace --manifest-path names.
        .env(run_dir::RUNS_ENV, &runs)
        .stdin(Stdio::null())
        .stdout(private_file(&dir.join(run_dir::STDOUT))?)
        .stderr(log);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        // SAFETY: setsid is async-signal-safe, as code between fork and exec must be.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = command
        .spawn()
        .context("cannot start the run in the background")?;
    let pid = child.id();
    let run = RunDir::at(dir.clone());
    let mut output = BufReader::new(File::open(&log_path)?);
    let mut line = String::new();
    let mut interrupts = signal::interrupts();
    loop {
        // The build and anything else said before the load, shown as it comes.
        while output.read_line(&mut line)? > 0 {
            eprint!("{line}");
            line.clear();
        }
        if run.snapshot().is_some() {
            break;
        }
        if foreground == Foreground::Follow
            && let State::Done(code) = run.state()
        {
            // Ended between two looks: its summary is all there is to show.
            if let Some(summary) = run.printed() {
                print!("{summary}");
            }
            return Ok(code);
        }
        if let Some(status) = child.try_wait()? {
            while output.read_line(&mut line)? > 0 {
                eprint!("{line}");
                line.clear();
            }
            let code = match run.state() {
                State::Done(code) => code,
                _ => status
                    .code()
                    .and_then(|c| u8::try_from(c).ok())
                    .unwrap_or(2),
            };
            if foreground == Foreground::Leave {
                eprintln!(
                    "{} the run ended before its load began (exit code {code}); its output is above and in {}",
                    style("error:").red().bold(),
                    log_path.display()
                );
            } else if let Some(summary) = run.printed() {
                print!("{summary}");
            }
            return Ok(code);
        }
        if signal::interrupts() > interrupts {
            if foreground == Foreground::Leave {
                eprintln!("not waiting: run {id} is still starting in the background");
                break;
            }
            // Before its load the run has nothing to detach: a Ctrl-C stops it, as it would
            // stop a run in the foreground.
            interrupts = signal::interrupts();
            stop_child(pid);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::io::stderr().flush();
    if foreground == Foreground::Follow {
        let info = run.info()?;
        return view::follow(&run, &info, view::Follow::Asking { output, quiet });
    }
    println!(
        "{}",
        detached_text(&id, pid, &log_path.display().to_string())
    );
    Ok(crate::exit::SUCCESS)
}

/// Passes a Ctrl-C on to the background run before its load began.
fn stop_child(pid: u32) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: sends SIGINT to the session this process started (the runner leads its own
        // group): the runner stops the run, and a cargo build under way stops too, as it would
        // at a terminal. A test binary already started is in a group of its own.
        unsafe {
            libc::kill(-pid, libc::SIGINT);
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// What the foreground prints once the run is on its own.
fn detached_text(id: &str, pid: u32, log: &str) -> String {
    format!(
        "{} run {id} goes on in the background (pid {pid})\n  \
         cargo loadrun attach {id}    follow it, and see its summary when it ends\n  \
         cargo loadrun stop {id}      stop it as Ctrl-C would\n  \
         cargo loadrun ps             every run here\n  \
         its output: {log}",
        style("detached:").cyan().bold()
    )
}

/// A new file of the run's output, owner-only as every file of run data.
fn private_file(path: &std::path::Path) -> Result<File> {
    create_private(path).with_context(|| format!("cannot create {}", path.display()))
}
