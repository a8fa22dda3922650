//! One module per command, each with its `dispatch`: a load test ([`run`]), the list of load
//! tests ([`list`]), quick mode on one URL ([`quick`]), the run [`history`], the [`merge`] of a
//! split run's segments, the [`build`] of a test to run without cargo; the [`runs`] in progress (`ps`, `attach`,
//! `stop`); and what a bare
//! `cargo loadrun` says to do next. What every run does once its load has ended is [`finish`]
//! (a segment's end is [`segment`]'s).

mod build;
mod detach;
mod finish;
mod history;
mod list;

mod merge;
pub mod quick;
mod run;
mod runs;
mod segment;

use anyhow::{Result, bail};

use self::detach::Foreground;
use crate::cli::{Cli, Command};
use crate::live;

/// Runs what the command line asks for; returns the exit code, or the usage error to print.
pub fn dispatch(cli: &Cli) -> Result<u8> {
    match &cli.command {
        Some(Command::History(args)) => return history::dispatch(args),
        Some(Command::Merge(args)) => return merge::dispatch(args),
        Some(Command::Build(args)) => return build::dispatch(args),
        Some(Command::Ps) => return runs::ps(),
        Some(Command::Attach(args)) => return runs::attach(args, cli.quiet),
        Some(Command::Stop(args)) => return runs::stop(args, cli.quiet),
        None => {}
    }
    if cli.live.detach {
        return detach::dispatch(Foreground::Leave, cli.quiet);
    }
    if followed_in_background(cli) {
        return detach::dispatch(Foreground::Follow, cli.quiet);
    }
    // Quick mode needs no cargo project: it goes before anything runs cargo.
    if let Some(url) = &cli.quick.url {
        if cli.distributed.segmented() || cli.distributed.dry_run {
            bail!(
                "--segment, --segments and --dry-run go with a test: quick mode (--url) runs in this process only; \
                 write a #[load_test] that sends the request to split it over several processes"
            );
        }
        return quick::dispatch(url, cli);
    }
    if let Some(flag) = cli.quick.request_flags().first() {
        // clap lets these through when a flag that excludes --url, such as TEST or --list, is
        // present.
        bail!(
            "{flag} describes the request of quick mode and goes with --url URL; a load test sends its own requests"
        );
    }
    if cli.list {
        return match &cli.distributed.artifact {
            Some(dir) => list::artifact(dir),
            None => list::dispatch(&cli.cargo, cli.quiet),
        };
    }
    if cli.tests.is_empty() && cli.distributed.artifact.is_none() {
        bail!(what_next());
    }
    run::dispatch(cli)
}

/// Whether this run goes to the background and is followed from here, as on a terminal, where
/// a Ctrl-C can then leave it running: a run (not a list, a dry run or a segment, whose engine
/// runs it) with a terminal to ask on, not already the background one, and not kept in this
/// process by `LOADCASE_FOREGROUND=1`.
fn followed_in_background(cli: &Cli) -> bool {
    use std::io::IsTerminal as _;
    let a_run =
        cli.quick.url.is_some() || !cli.tests.is_empty() || cli.distributed.artifact.is_some();
    a_run
        && !cli.list
        && !cli.distributed.dry_run
        && !cli.distributed.segmented()
        && !live::detached()
        && std::env::var_os("LOADCASE_FOREGROUND").is_none_or(|v| v != "1")
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
}

/// What a bare `cargo loadrun` says: the three ways to go on.
fn what_next() -> String {
    "no TEST given: say what to run\n  \
     cargo loadrun --list                  every load test here, with its file and line\n  \
     cargo loadrun TEST -u 10 -c 5         run one: TEST is target::function, e.g. example::test_es\n  \
     cargo loadrun --url URL -u 10 -c 5    load one URL (http://…) without writing a test\n  \
     cargo loadrun --help                  every option"
        .to_owned()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("cargo-loadrun").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    #[test]
    fn a_bare_command_says_what_to_do_next() {
        for args in [
            &[][..],
            &["-u", "10", "-q"],
            &["--manifest-path", "x/Cargo.toml"],
        ] {
            let message = format!("{:#}", dispatch(&cli(args)).unwrap_err());
            for next in ["TEST", "--list", "--url", "example::test_es"] {
                assert!(message.contains(next), "{args:?}: no `{next}` in {message}");
            }
        }
    }

    #[test]
    fn request_flags_go_with_url_only() {
        // With a flag that excludes --url present, clap lets request flags through: they are
        // refused before anything runs.
        for (args, flag) in [
            (&["example::t", "--data", "x"][..], "--data"),
            (&["example::t", "--header", "A: b"], "--header"),
            (&["--list", "--method", "POST"], "--method"),
            (&["example::t", "--expect-status", "201"], "--expect-status"),
        ] {
            let message = format!("{:#}", dispatch(&cli(args)).unwrap_err());
            assert!(
                message.starts_with(&format!(
                    "{flag} describes the request of quick mode and goes with --url URL"
                )),
                "{message}"
            );
        }
    }
}
