//! `cargo loadrun`: builds the test target, runs a `#[load_test]` as a load in its test binary,
//! shows progress, prints the summary, and exits with a documented code. All load logic lives in
//! the `loadcase` library; this crate is the command line around it.
//!
//! Each module has one job, and uses only what is below it: [`command`] dispatches to one module
//! per command, which uses the [`workspace`] (cargo, the tests it holds and which one the
//! command line names), [`child`] (the test binary running the load), [`settings`] (the plan
//! and outputs from the command line over a profile), then [`text`], [`reports`] and
//! [`history`] for what a run leaves, and the [`artifact`] a test is built into to run without
//! cargo; at the bottom, the command line's groups ([`cli`]), the [`exit`] codes and the
//! [`signal`] count.

mod artifact;
mod by_test;
mod child;
mod cli;
mod command;
mod exit;
mod history;
mod live;
mod progress;
#[cfg(test)]
mod properties;
mod reports;
mod settings;
mod signal;
mod text;
mod verdict;
mod workspace;

use std::process::ExitCode;

use console::style;

fn main() -> ExitCode {
    let cli = cli::Cli::from_env();
    signal::install();
    match command::dispatch(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let code = exit::of_error(&error);
            match code {
                exit::INTERRUPTED => {
                    eprintln!("{} {error:#}", style("interrupted:").yellow().bold())
                }
                _ => eprintln!("{} {error:#}", style("error:").red().bold()),
            }
            ExitCode::from(code)
        }
    }
}
