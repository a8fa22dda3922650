//! Where and how a run ran, recorded beside its figures: two runs that differ may differ because
//! of the machine, the code under test or the command, and the history should say which.

use std::path::Path;
use std::process::{Command, Stdio};

use loadcase::__private::runner::{REDACTED, passwords_in};

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
            command_line: command_line(
                std::env::args_os()
                    .skip(1)
                    .map(|arg| arg.to_string_lossy().into_owned()),
            ),
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

/// `cargo loadrun ARGS`, as the user typed it but for its secrets (see [`without_secrets`]):
/// cargo passes `loadrun` as the first argument, which the command line already says.
/// Arguments with spaces or quotes are single-quoted so that the line can be pasted back into a
/// shell.
pub fn command_line(args: impl Iterator<Item = String>) -> String {
    let mut line = String::from("cargo loadrun");
    let mut args = args.peekable();
    if args.peek().is_some_and(|arg| arg == "loadrun") {
        args.next();
    }
    for arg in without_secrets(args) {
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

/// What is kept of the value of an option that may hold a secret.
type Kept = fn(&str) -> String;

/// The options whose values may be secrets, each with what is kept of a value.
const SECRET_VALUES: [(&str, Kept); 2] = [
    // `Name: value`: the name says what was sent, the value may be a token or a cookie.
    ("--header", |value| match value.split_once(':') {
        Some((name, _)) => format!("{name}: {REDACTED}"),
        None => REDACTED.to_owned(),
    }),
    // A body may hold a password; `@FILE` names a file, not its content.
    ("--data", |value| {
        if value.starts_with('@') {
            value.to_owned()
        } else {
            REDACTED.to_owned()
        }
    }),
];

/// The arguments with their secrets replaced by `[redacted]`: the value of each `--header` (its
/// name kept), an inline `--data` body, and the credentials of every URL (`--url`,
/// `--server-url`, any other).
pub fn without_secrets(args: impl Iterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut value_of: Option<Kept> = None;
    for arg in args {
        let arg = passwords_in(&arg).into_owned();
        if let Some(keep) = value_of.take() {
            out.push(keep(&arg));
            continue;
        }
        let secret = SECRET_VALUES.iter().find_map(|(flag, keep)| {
            if arg == *flag {
                value_of = Some(*keep);
                None
            } else {
                let value = arg.strip_prefix(flag)?.strip_prefix('=')?;
                Some(format!("{flag}={}", keep(value)))
            }
        });
        out.push(secret.unwrap_or(arg));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_secret_of_the_command_line_is_kept() {
        let args = [
            "loadrun",
            "--url",
            "http://ann:pw-in-url@127.0.0.1:1/x",
            "--header",
            "Authorization: Bearer tok-1",
            "--header=Cookie: id=tok-2",
            "--header",
            "no colon tok-3",
            "--data",
            "password=tok-4",
            "--data=tok-5",
            "--redact-header",
            "X-Key",
            "--header",
            "X-Key: tok-6",
            "--server-url=https://tok-7@h/",
            "--data",
            "@body.json",
            "-u",
            "5",
        ];
        let line = command_line(args.map(String::from).into_iter());
        for secret in ["pw-in-url", "tok-"] {
            assert!(!line.contains(secret), "{secret} in {line}");
        }
        assert_eq!(
            line,
            "cargo loadrun --url 'http://ann:[redacted]@127.0.0.1:1/x' \
             --header 'Authorization: [redacted]' '--header=Cookie: [redacted]' \
             --header '[redacted]' --data '[redacted]' '--data=[redacted]' \
             --redact-header X-Key --header 'X-Key: [redacted]' \
             '--server-url=https://[redacted]@h/' --data @body.json -u 5"
        );
    }
}
