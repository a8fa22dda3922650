//! `--detach`: the same command line run again in the background, in a session of its own (no
//! terminal's Ctrl-C or hang-up reaches it), its output in its run directory. The foreground
//! waits until the load has begun — showing the build meanwhile — or the run has ended, so that
//! a usage or build error is seen here with its exit code; then it prints how to follow the run.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use console::style;

use crate::live::run_dir::{self, RunDir, State};
use crate::live::{DETACHED_ID, view};
use crate::signal;

/// The run's output, beside its state in its run directory.
pub const OUTPUT: &str = "output.log";

/// Starts the command line again without `--detach`, in the background; returns 0 once its load
/// has begun, or the exit code of a run that ended before.
pub fn dispatch() -> Result<u8> {
    let root = view::root();
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let id = run_dir::new_id(started, std::process::id());
    let dir = run_dir::runs(&root).join(&id);
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
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
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
    let interrupts = signal::interrupts();
    loop {
        // The build and anything else said before the load, shown as it comes.
        while output.read_line(&mut line)? > 0 {
            eprint!("{line}");
            line.clear();
        }
        if run.snapshot().is_some() {
            break;
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
            eprintln!(
                "{} the run ended before its load began (exit code {code}); its output is above and in {}",
                style("error:").red().bold(),
                log_path.display()
            );
            return Ok(code);
        }
        if signal::interrupts() > interrupts {
            eprintln!("not waiting: run {id} is still starting in the background");
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::io::stderr().flush();
    println!(
        "{}",
        detached_text(&id, pid, &log_path.display().to_string())
    );
    Ok(crate::exit::SUCCESS)
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

fn private_file(path: &std::path::Path) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}
