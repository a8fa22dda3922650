//! `cargo loadrun ps`, `attach [RUN]` and `stop [RUN]`: the runs of this workspace, seen and
//! steered through their run directories from any terminal.

use anyhow::Result;
use console::style;

use crate::cli::live::RunArgs;
use crate::live::run_dir::{self, State};
use crate::live::view;

/// Lists the runs.
pub fn ps() -> Result<u8> {
    print!("{}", view::ps(&view::runs()));
    Ok(crate::exit::SUCCESS)
}

/// Follows a run to its end; its exit code is the command's.
pub fn attach(args: &RunArgs, quiet: bool) -> Result<u8> {
    let (dir, info) = view::pick(&view::runs(), args.run.as_deref())?;
    if dir.state() == State::Running {
        eprintln!(
            "attached to run {} ({}); Ctrl-C leaves it running",
            info.id, info.test
        );
    }
    view::follow(&dir, &info, view::Follow::Plain { quiet })
}

/// Stops a run as Ctrl-C would, and follows it to its summary.
pub fn stop(args: &RunArgs, quiet: bool) -> Result<u8> {
    let (dir, info) = view::pick(&view::runs(), args.run.as_deref())?;
    match dir.state() {
        State::Running => {
            run_dir::stop(&info)?;
            eprintln!(
                "{} run {} ({}): finishing running hits",
                style("stopping:").yellow().bold(),
                info.id,
                info.test
            );
        }
        State::Done(code) => eprintln!("run {} had already ended (exit code {code})", info.id),
        State::Stale => {}
    }
    view::follow(&dir, &info, view::Follow::Plain { quiet })
}
