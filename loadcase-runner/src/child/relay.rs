//! The test binary's own output, relayed without what libtest prints around the test.
//!
//! With `--nocapture`, libtest's stdout opens with an empty line, `running 1 test` and
//! `test NAME ... ` (the test's first line of output then follows on that same line), and closes
//! with `ok`, an empty line, `test result: …` and an empty line. Those are recognised by their
//! place — the opening before any line of the test's, the closing at the very end of the stream
//! — so a test that prints `ok` or an empty line itself is still heard. stderr is passed on as
//! it is.

/// libtest's closing lines, in order.
fn closing_line(index: usize, line: &str) -> bool {
    match index {
        0 => matches!(line, "ok" | "FAILED" | "ignored"),
        1 | 3 => line.is_empty(),
        2 => line.starts_with("test result: "),
        _ => false,
    }
}

fn opening_line(line: &str) -> bool {
    if line.is_empty() {
        return true;
    }
    let Some(rest) = line.strip_prefix("running ") else {
        return false;
    };
    let mut words = rest.split(' ');
    words.next().is_some_and(|n| n.parse::<u32>().is_ok())
        && matches!(words.next(), Some("test" | "tests"))
        && words.next().is_none()
}

/// Filters one test binary's stdout.
pub struct Relay {
    prefix: String,
    opening: bool,
    prefix_seen: bool,
    // Lines that may be libtest's closing, held until a line shows they are not.
    held: Vec<String>,
}

impl Relay {
    /// For the test that libtest knows as `name`.
    pub fn new(name: &str) -> Relay {
        Relay {
            prefix: format!("test {name} ... "),
            opening: true,
            prefix_seen: false,
            held: Vec::new(),
        }
    }

    /// Takes a line of stdout; returns the lines to print now.
    pub fn line(&mut self, line: &str) -> Vec<String> {
        let mut line = line.trim_end_matches('\r');
        if !self.prefix_seen {
            let bare = self.prefix.trim_end();
            if let Some(rest) = line.strip_prefix(&self.prefix) {
                self.prefix_seen = true;
                self.opening = false;
                line = rest;
            } else if line == bare {
                self.prefix_seen = true;
                self.opening = false;
                return Vec::new();
            }
        }
        if self.opening && opening_line(line) {
            return Vec::new();
        }
        self.opening = false;
        if closing_line(self.held.len(), line) {
            self.held.push(line.to_owned());
            return Vec::new();
        }
        let mut out = std::mem::take(&mut self.held);
        // The line that broke the pattern may start it afresh.
        if closing_line(0, line) {
            self.held.push(line.to_owned());
        } else {
            out.push(line.to_owned());
        }
        out
    }

    /// At the end of stdout. Held lines always follow the closing's pattern from its start, so
    /// at the very end of the stream they are libtest's closing: they are dropped.
    pub fn end(&mut self) {
        self.held.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay_all(name: &str, lines: &[&str]) -> Vec<String> {
        let mut relay = Relay::new(name);
        let out: Vec<String> = lines.iter().flat_map(|l| relay.line(l)).collect();
        relay.end();
        out
    }

    #[test]
    fn a_silent_test_prints_nothing() {
        let lines = [
            "",
            "running 1 test",
            "test api::login ... ok",
            "",
            "test result: ok. 1 passed",
            "",
        ];
        assert!(relay_all("api::login", &lines).is_empty());
    }

    #[test]
    fn the_tests_lines_are_kept_even_when_they_look_like_libtests() {
        let lines = [
            "",
            "running 1 test",
            "test t ... hello",
            "ok",
            "",
            "running 2 tests",
            "ok",
            "last words",
            "ok",
            "",
            "test result: ok. 1 passed; 0 failed",
            "",
        ];
        assert_eq!(
            relay_all("t", &lines),
            ["hello", "ok", "", "running 2 tests", "ok", "last words"]
        );
    }

    #[test]
    fn a_failure_report_is_kept() {
        let lines = [
            "test t ... FAILED",
            "",
            "failures:",
            "",
            "---- t stdout ----",
            "boom",
            "",
            "test result: FAILED. 0 passed",
        ];
        let out = relay_all("t", &lines);
        assert_eq!(out[..3], ["FAILED", "", "failures:"]);
        assert!(out.contains(&"boom".to_owned()));
    }

    #[test]
    fn only_libtests_opening_is_dropped() {
        assert!(opening_line("running 1 test"));
        assert!(opening_line("running 12 tests"));
        assert!(!opening_line("running 12 tests now"));
        assert!(!opening_line("running tests"));
    }
}
