//! How a test binary's end reads: its exit code, or the signal that killed it, by name.

use std::process::ExitStatus;

/// `exited with code 3`, `was killed by signal 9 (SIGKILL)`: what ended the binary, to follow
/// "it".
pub fn describe(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with code {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return match name(signal) {
                Some((name, meaning)) => {
                    format!("was killed by signal {signal} ({name}{meaning})")
                }
                None => format!("was killed by signal {signal}"),
            };
        }
    }
    format!("ended ({status})")
}

/// The signals a crashing Rust process ends by, with what usually sends them.
fn name(signal: i32) -> Option<(&'static str, &'static str)> {
    Some(match signal {
        1 => ("SIGHUP", ""),
        2 => ("SIGINT", ""),
        4 => ("SIGILL", ""),
        6 => (
            "SIGABRT",
            ": an abort, a stack overflow or an allocation failure",
        ),
        7 => ("SIGBUS", ""),
        8 => ("SIGFPE", ""),
        9 => (
            "SIGKILL",
            ": killed from outside, or by the kernel when out of memory",
        ),
        11 => ("SIGSEGV", ": an invalid memory access"),
        13 => ("SIGPIPE", ""),
        15 => ("SIGTERM", ""),
        _ => return None,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    #[test]
    fn an_end_reads_as_its_code_or_its_signal() {
        // A wait status: the code in the second byte, a signal in the low bits.
        assert_eq!(describe(ExitStatus::from_raw(3 << 8)), "exited with code 3");
        assert_eq!(
            describe(ExitStatus::from_raw(9)),
            "was killed by signal 9 (SIGKILL: killed from outside, or by the kernel when out of memory)"
        );
        assert!(describe(ExitStatus::from_raw(6)).starts_with("was killed by signal 6 (SIGABRT: "));
        assert_eq!(
            describe(ExitStatus::from_raw(64)),
            "was killed by signal 64"
        );
    }
}
