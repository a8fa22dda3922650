//! Where and how a run ran, recorded beside its figures: two runs that differ may differ because
//! of the machine, the code under test or the command, and the history should say which.

use std::path::Path;
use std::process::{Command, Stdio};

/// The circumstances of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// The runner's version.
    pub loadcase_version: String,
    /// The machine's name, or empty when it cannot be found.
    pub hostname: String,
    /// `std::env::consts::OS`.
    pub os: String,
    /// `std::env::consts::ARCH`.
    pub arch: String,
    /// Cores available to the run.
    pub cpus: u32,
    /// `git rev-parse HEAD` in the workspace, when it is a git checkout.
    pub git_commit: Option<String>,
    /// The command as typed: `cargo loadrun example::test_es -u 100 -c 10`.
    pub command_line: String,
}

impl Environment {
    /// This process's environment, for a run of the workspace at `root`.
    pub fn current(root: &Path) -> Environment {
        Environment {
            loadcase_version: env!("CARGO_PKG_VERSION").to_owned(),
            hostname: hostname(),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            cpus: std::thread::available_parallelism()
                .map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX)),
            git_commit: git_commit(root),
            command_line: command_line(std::env::args().skip(1)),
        }
    }
}

/// Without a dependency for it: the variables shells and Windows set, then the kernel's name.
fn hostname() -> String {
    let from_env = ["HOSTNAME", "COMPUTERNAME"]
        .into_iter()
        .filter_map(|v| std::env::var(v).ok());
    let from_files = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .into_iter()
        .filter_map(|f| std::fs::read_to_string(f).ok());
    from_env
        .chain(from_files)
        .map(|name| name.trim().to_owned())
        .find(|name| !name.is_empty())
        .unwrap_or_default()
}

fn git_commit(root: &Path) -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}

/// `cargo loadrun ARGS`, as the user typed it: cargo passes `loadrun` as the first argument,
/// which the command line already says. Arguments with spaces or quotes are single-quoted so
/// that the line can be pasted back into a shell.
pub fn command_line(args: impl Iterator<Item = String>) -> String {
    let mut line = String::from("cargo loadrun");
    for (i, arg) in args.enumerate() {
        if i == 0 && arg == "loadrun" {
            continue;
        }
        line.push(' ');
        if !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=:./,%@+".contains(c))
        {
            line.push_str(&arg);
        } else {
            line.push('\'');
            line.push_str(&arg.replace('\'', r"'\''"));
            line.push('\'');
        }
    }
    line
}
