//! Running a test binary as a load: start it with the plan in its environment, accept its side
//! channel, relay its output and progress, stop it on Ctrl-C, and say what happened if it dies.

use std::io::{BufRead, BufReader, BufWriter};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use loadcase::__private::runner::{self, PROTOCOL_VERSION, ToChild, ToRunner, env};
use loadcase::Progress;
use loadcase::{Plan, Report};

use super::relay::Relay;
use crate::progress::Display;
use crate::signal::{self, Interrupted};
use crate::workspace::cargo::TestBinary;

/// After the binary exits, how long its messages and output may pause before the runner stops
/// waiting for more (a grandchild process may hold the pipes open).
const AFTER_EXIT: Duration = Duration::from_secs(5);
/// After the binary closes the channel, how long it may take to exit (a user's background
/// thread can keep a process alive) before it is killed: everything it measured has arrived.
const AFTER_CLOSE: Duration = Duration::from_secs(10);
/// How long the binary may take to say hello once connected.
const HELLO: Duration = Duration::from_secs(10);
/// Output lines printed per turn of the loop, so that messages are never kept waiting.
const LINES_PER_TURN: usize = 512;

/// How a supervised run ended.
pub enum Ending {
    /// The binary sent its final report.
    Done(Report),
    /// The binary exited without one; what it had sent is kept.
    Crashed {
        status: ExitStatus,
        last: Option<Report>,
        progress: Option<Progress>,
    },
    /// A second Ctrl-C killed the binary; what it had sent is kept.
    Killed {
        last: Option<Report>,
        progress: Option<Progress>,
    },
}

/// A line of the binary's output, or the end of one of its two streams.
enum Output {
    Line { text: String, stderr: bool },
    Closed { stderr: bool },
}

/// The running binary, its two inboxes, and what it has said so far. Messages and output come
/// apart so that a test printing a million lines cannot hold back its final report.
struct Supervisor<'d> {
    child: Child,
    messages: Option<Receiver<Option<ToRunner>>>,
    output: Receiver<Output>,
    display: &'d mut Display,
    /// Told of each snapshot, once spliced into the whole report so far.
    on_seen: &'d mut dyn FnMut(Seen<'_>),
    relay: Relay,
    outputs_open: u8,
    channel_closed: bool,
    exited: Option<ExitStatus>,
    last_event: Instant,
    last: Option<Report>,
    progress: Option<Progress>,
    done: Option<Report>,
}

/// What the binary reported, as it comes.
pub enum Seen<'a> {
    /// The counters of the moment, a few times a second.
    Progress(&'a Progress),
    /// The report so far (about every second), with the newest progress.
    Snapshot(&'a Report, Option<&'a Progress>),
}

/// Runs `name` (libtest name) of `binary` with `plan`; `on_seen` sees each progress and each
/// snapshot as it arrives.
pub fn run(
    binary: &TestBinary,
    name: &str,
    display_name: &str,
    plan: &Plan,
    display: &mut Display,
    on_seen: &mut dyn FnMut(Seen<'_>),
) -> Result<Ending> {
    let listener =
        TcpListener::bind("127.0.0.1:0").context("cannot open the side channel on 127.0.0.1")?;
    let token = token();
    let mut command = Command::new(&binary.exe);
    command
        .args([
            name,
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "--include-ignored",
        ])
        .env(env::PLAN, serde_json::to_string(plan)?)
        .env(env::TEST, name)
        .env(env::CONNECT, listener.local_addr()?.to_string())
        .env(env::TOKEN, &token)
        .env("CARGO_MANIFEST_DIR", &binary.target.package_dir)
        .env("CARGO_PKG_NAME", &binary.target.package)
        .current_dir(&binary.target.package_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group: a Ctrl-C at the terminal reaches only the runner, which then asks
    // the binary to stop and still gets its report.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start {}", binary.exe.display()))?;
    let (lines, output) = mpsc::channel();
    relay_lines(child.stdout.take().expect("piped"), lines.clone(), false);
    relay_lines(child.stderr.take().expect("piped"), lines, true);
    let mut supervisor = Supervisor {
        child,
        messages: None,
        output,
        display,
        on_seen,
        relay: Relay::new(name),
        outputs_open: 2,
        channel_closed: false,
        exited: None,
        last_event: Instant::now(),
        last: None,
        progress: None,
        done: None,
    };

    let Some(stream) = supervisor.accept(&listener)? else {
        let status = supervisor
            .exited
            .expect("accept returns None only after the exit");
        if status.success() {
            bail!(
                "`{display_name}` ran as an ordinary test and never connected: it is a #[test], not a #[load_test] (cargo loadrun --list shows the load tests)"
            );
        }
        return Ok(Ending::Crashed {
            status,
            last: None,
            progress: None,
        });
    };
    let mut writer = BufWriter::new(stream.try_clone()?);
    let mut reader = BufReader::new(stream);
    if let Err(error) = handshake(&mut reader, &token) {
        supervisor.kill_and_flush();
        return Err(error);
    }
    let (sender, messages) = mpsc::channel();
    std::thread::spawn(move || {
        while let Ok(Some(message)) = runner::receive::<ToRunner>(&mut reader) {
            if sender.send(Some(message)).is_err() {
                return;
            }
        }
        let _ = sender.send(None);
    });
    supervisor.messages = Some(messages);
    supervisor.watch(&mut writer)
}

impl Supervisor<'_> {
    /// Waits for the binary to connect, relaying its output meanwhile. `None` if it exited first.
    fn accept(&mut self, listener: &TcpListener) -> Result<Option<TcpStream>> {
        listener.set_nonblocking(true)?;
        loop {
            let exited = self.child.try_wait()?;
            // Accept after looking at the exit: a binary that connected and then exited between
            // the two calls is still accepted.
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false)?;
                    let _ = stream.set_nodelay(true);
                    return Ok(Some(stream));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e).context("side channel accept failed"),
            }
            if let Some(status) = exited {
                self.exited = Some(status);
                self.flush_output();
                return Ok(None);
            }
            if signal::interrupts() > 0 {
                self.kill_and_flush();
                bail!(Interrupted);
            }
            if !self.relay_output() {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    /// Relays messages and output until the binary has exited and everything it sent has
    /// arrived, or it has been quiet for [`AFTER_EXIT`] since.
    fn watch(mut self, writer: &mut BufWriter<TcpStream>) -> Result<Ending> {
        let mut stop_sent = false;
        let mut killed = false;
        let mut closed_at: Option<Instant> = None;
        loop {
            let interrupts = signal::interrupts();
            if interrupts >= 1 && !stop_sent {
                stop_sent = true;
                self.display.note(
                    "stopping: finishing running hits (Ctrl-C again to kill the test binary)",
                );
                let _ = runner::send(writer, &ToChild::Stop);
            }
            if interrupts >= 2 && !killed {
                killed = true;
                let _ = self.child.kill();
            }
            if self.exited.is_none() {
                self.exited = self.child.try_wait()?;
            }
            if self.channel_closed && closed_at.is_none() {
                closed_at = Some(Instant::now());
            }
            if self.exited.is_none() && closed_at.is_some_and(|at| at.elapsed() > AFTER_CLOSE) {
                let _ = self.child.kill();
            }
            if self.exited.is_some()
                && ((self.channel_closed && self.outputs_open == 0)
                    || self.last_event.elapsed() > AFTER_EXIT)
            {
                break;
            }
            let busy = self.receive_messages(Duration::ZERO) | self.relay_output();
            if !busy {
                self.receive_messages(Duration::from_millis(20));
            }
        }
        let status = self.exited.expect("the loop ends after the exit");
        Ok(match (self.done, killed) {
            (Some(report), _) => Ending::Done(report),
            (None, true) => Ending::Killed {
                last: self.last,
                progress: self.progress,
            },
            (None, false) => Ending::Crashed {
                status,
                last: self.last,
                progress: self.progress,
            },
        })
    }

    /// Handles every message that has arrived, waiting up to `wait` for the first.
    fn receive_messages(&mut self, wait: Duration) -> bool {
        let Some(messages) = &self.messages else {
            return false;
        };
        let mut received = false;
        let mut next = messages.recv_timeout(wait);
        loop {
            match next {
                Ok(Some(message)) => {
                    received = true;
                    match message {
                        ToRunner::Progress(p) => {
                            self.display.progress(&p);
                            (self.on_seen)(Seen::Progress(&p));
                            self.progress = Some(p);
                        }
                        ToRunner::Snapshot(mut report) => {
                            // Snapshots carry only the seconds that may have changed.
                            if let Some(previous) = self.last.take() {
                                let mut series = previous.series;
                                loadcase::__private::runner::splice(&mut series, report.series);
                                report.series = series;
                            }
                            (self.on_seen)(Seen::Snapshot(&report, self.progress.as_ref()));
                            self.last = Some(report);
                        }
                        ToRunner::Done(report) => self.done = Some(report),
                        ToRunner::Hello { .. } => {}
                    }
                }
                Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                    received |= !self.channel_closed;
                    self.channel_closed = true;
                    break;
                }
                Err(RecvTimeoutError::Timeout) => break,
            }
            next = messages.recv_timeout(Duration::ZERO);
        }
        if received {
            self.last_event = Instant::now();
        }
        received
    }

    /// Prints up to [`LINES_PER_TURN`] lines of output; whether there were any.
    fn relay_output(&mut self) -> bool {
        let mut lines: Vec<String> = Vec::new();
        let mut any = false;
        while lines.len() < LINES_PER_TURN {
            match self.output.try_recv() {
                Ok(Output::Line { text, stderr: true }) => {
                    any = true;
                    lines.push(text);
                }
                Ok(Output::Line {
                    text,
                    stderr: false,
                }) => {
                    any = true;
                    lines.extend(self.relay.line(&text));
                }
                Ok(Output::Closed { stderr }) => {
                    any = true;
                    if !stderr {
                        self.relay.end();
                    }
                    self.outputs_open = self.outputs_open.saturating_sub(1);
                }
                Err(_) => break,
            }
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.display.output(&refs);
        if any {
            self.last_event = Instant::now();
        }
        any
    }

    /// Relays what the exited binary still had in its pipes, until they close or stay quiet
    /// for [`AFTER_EXIT`].
    fn flush_output(&mut self) {
        while self.outputs_open > 0 {
            if !self.relay_output() {
                if self.last_event.elapsed() > AFTER_EXIT {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    fn kill_and_flush(&mut self) {
        let _ = self.child.kill();
        if let Ok(status) = self.child.wait() {
            self.exited = Some(status);
        }
        self.flush_output();
    }
}

fn handshake(reader: &mut BufReader<TcpStream>, token: &str) -> Result<()> {
    reader.get_ref().set_read_timeout(Some(HELLO))?;
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .context("the test binary connected but sent no hello")?;
    reader.get_ref().set_read_timeout(None)?;
    match runner::hello_protocol(&line) {
        Some(PROTOCOL_VERSION) => {}
        Some(theirs) => bail!(
            "the test binary speaks loadcase protocol {theirs} and this cargo loadrun speaks {PROTOCOL_VERSION}: \
             install the runner of the same loadcase version as the crate's dev-dependency"
        ),
        None => bail!("the test binary sent no valid hello: {}", line.trim()),
    }
    match serde_json::from_str::<ToRunner>(&line) {
        Ok(ToRunner::Hello { token: theirs, .. }) if theirs == token => Ok(()),
        _ => bail!(
            "the side channel was answered by something other than the test binary (wrong token)"
        ),
    }
}

fn relay_lines(stream: impl std::io::Read + Send + 'static, lines: Sender<Output>, stderr: bool) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&buffer)
                        .trim_end_matches(['\n', '\r'])
                        .to_owned();
                    if lines.send(Output::Line { text, stderr }).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = lines.send(Output::Closed { stderr });
    });
}

fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded from the OS; two of them give 128 unpredictable bits.
    let a = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{a:016x}{:016x}", h.finish())
}
