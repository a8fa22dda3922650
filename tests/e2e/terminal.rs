//! A run at a terminal (on a pseudo-terminal, through `script`): a Ctrl-C asks "(s)top or
//! (d)etach?", as Loads did. Detach leaves the run going in the background, where `stop` ends
//! it with its summary; stop ends it here, with the summary and exit code of a Ctrl-C.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use loadcase_e2e::{DemoServer, TempDir, finish, runner, workspace};

/// The runner on a pseudo-terminal, what it wrote so far, and its keyboard.
struct Terminal {
    child: Child,
    screen: Arc<Mutex<String>>,
}

impl Terminal {
    fn start(args: &str, runs: &TempDir) -> Terminal {
        let command = format!(
            "exec {} loadrun --manifest-path tests/Cargo.toml --debug --no-history {args}",
            runner().display()
        );
        // `exec`: the shell script(1) starts (dash does not exec a lone command) would be in the
        // terminal's foreground group, die of the Ctrl-C, and give script its 130.
        let mut child = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(workspace())
            .env("TERM", "xterm")
            .env("SHELL", "/bin/sh")
            .env("LOADCASE_RUNS", runs.dir())
            .env_remove("LOADCASE_SERVER_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run script(1) from util-linux");
        let screen = Arc::new(Mutex::new(String::new()));
        let mut stdout = child.stdout.take().expect("piped");
        let written = screen.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                written
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Terminal { child, screen }
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !self.screen.lock().unwrap().contains(text) {
            assert!(
                Instant::now() < deadline,
                "no `{text}` on the screen:\n{}",
                self.screen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `keys` (a Ctrl-C is "\x03").
    fn press(&mut self, keys: &str) {
        let stdin = self.child.stdin.as_mut().expect("piped");
        stdin.write_all(keys.as_bytes()).expect("type");
        stdin.flush().expect("type");
    }

    /// Waits for the end: the exit code, and the screen.
    fn finish(mut self) -> (i32, String) {
        let status = self.child.wait().expect("wait for script");
        std::thread::sleep(Duration::from_millis(200));
        let screen = self.screen.lock().unwrap().clone();
        (status.code().unwrap_or(-1), screen)
    }
}

#[test]
fn ctrl_c_at_a_terminal_asks_and_detach_leaves_the_run_going() {
    let server = DemoServer::start_local();
    let runs = TempDir::new("terminal-detach");
    let mut terminal = Terminal::start(
        &format!(
            "fixture::steady -u 2 -d 60s --server-url {}",
            server.url("")
        ),
        &runs,
    );
    terminal.wait_for("fixture::steady [");
    terminal.wait_for("hits/s");
    terminal.press("\x03");
    terminal.wait_for("(s)top or (d)etach?");
    terminal.press("d");
    let (code, screen) = terminal.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("detached: run "), "{screen}");
    let before = server.counts().requests;
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        server.counts().requests > before,
        "the run goes on in the background"
    );

    let mut stop = Command::new(runner());
    stop.args(["loadrun", "stop"])
        .current_dir(workspace())
        .env("LOADCASE_RUNS", runs.dir());
    let stopped = finish(stop);
    assert_eq!(stopped.code, 130, "{stopped}");
    assert_eq!(
        stopped.figure("Hits"),
        server.counts().requests,
        "{stopped}"
    );
}

#[test]
fn ctrl_c_at_a_terminal_then_stop_ends_the_run_with_its_summary() {
    let server = DemoServer::start_local();
    let runs = TempDir::new("terminal-stop");
    let mut terminal = Terminal::start(
        &format!(
            "fixture::steady -u 2 -d 60s --server-url {}",
            server.url("")
        ),
        &runs,
    );
    terminal.wait_for("hits/s");
    terminal.press("\x03");
    terminal.wait_for("(s)top or (d)etach?");
    terminal.press("s");
    let (code, screen) = terminal.finish();
    assert_eq!(code, 130, "{screen}");
    let hits: u64 = screen
        .lines()
        // The bar's erasing escapes may precede it on its line.
        .find_map(|l| l.split_once("Hits: ").map(|(_, n)| n))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Hits line:\n{screen}"));
    assert_eq!(hits, server.counts().requests, "{screen}");
    assert!(screen.contains("Interrupted"), "{screen}");
}
