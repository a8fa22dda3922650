//! Running a test binary as a load: start it with the plan in its environment, accept its side
//! channel, relay its output and progress, stop it on Ctrl-C, and say what happened if it dies.

use std::io::{BufRead, BufReader, BufWriter};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use loadcase::engine::Progress;
use loadcase::protocol::{self, PROTOCOL_VERSION, ToChild, ToRunner, env};
use loadcase::{Plan, Report};

use crate::cargo::TestBinary;
use crate::progress::Display;

/// Ctrl-C presses since the run started.
pub static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);

/// How a supervised run ended.
pub enum Ending {
    /// The binary reported its final report.
    Done(Report),
    /// The binary exited without one; what it had sent is kept.
    Crashed {
        status: ExitStatus,
        last: Option<Report>,
        progress: Option<Progress>,
    },
}

enum Event {
    Channel(Box<ToRunner>),
    ChannelClosed,
    Stdout(String),
    Stderr(String),
}

/// Runs `name` (libtest name) of `binary` with `plan`.
pub fn run(
    binary: &TestBinary,
    name: &str,
    display_name: &str,
    plan: &Plan,
    display: &mut Display,
) -> Result<Ending> {
    let listener =
        TcpListener::bind("127.0.0.1:0").context("cannot open the side channel on 127.0.0.1")?;
    let address = listener.local_addr()?;
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
        .env(env::CONNECT, address.to_string())
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

    let (events, inbox) = mpsc::channel();
    relay_lines(
        child.stdout.take().expect("piped"),
        events.clone(),
        Event::Stdout,
    );
    relay_lines(
        child.stderr.take().expect("piped"),
        events.clone(),
        Event::Stderr,
    );

    let stream = match accept(&listener, &mut child, &inbox, display)? {
        Some(stream) => stream,
        None => {
            let status = child.wait()?;
            drain(&inbox, display);
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
        }
    };
    let mut writer = BufWriter::new(stream.try_clone()?);
    let mut reader = BufReader::new(stream);
    handshake(&mut reader, &token)?;
    std::thread::spawn(move || {
        loop {
            match protocol::receive::<ToRunner>(&mut reader) {
                Ok(Some(message)) => {
                    if events.send(Event::Channel(Box::new(message))).is_err() {
                        break;
                    }
                }
                _ => {
                    let _ = events.send(Event::ChannelClosed);
                    break;
                }
            }
        }
    });

    let mut last: Option<Report> = None;
    let mut progress: Option<Progress> = None;
    let mut done: Option<Report> = None;
    let mut stops_sent = 0;
    loop {
        let interrupts = INTERRUPTS.load(Ordering::Relaxed);
        if interrupts > stops_sent {
            stops_sent = interrupts;
            if interrupts == 1 {
                display.note(
                    "stopping: finishing running hits (Ctrl-C again to kill the test binary)",
                );
                let _ = protocol::send(&mut writer, &ToChild::Stop);
            } else {
                let _ = child.kill();
            }
        }
        match inbox.recv_timeout(Duration::from_millis(50)) {
            Ok(Event::Channel(message)) => match *message {
                ToRunner::Progress(p) => {
                    display.progress(&p);
                    progress = Some(p);
                }
                ToRunner::Snapshot(report) => last = Some(report),
                ToRunner::Done(report) => done = Some(report),
                ToRunner::Hello { .. } => {}
            },
            Ok(Event::Stdout(line)) => display.output(&line, false),
            Ok(Event::Stderr(line)) => display.output(&line, true),
            Ok(Event::ChannelClosed) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                if let Some(status) = child.try_wait()? {
                    drain(&inbox, display);
                    return Ok(ending(status, done, last, progress));
                }
            }
        }
    }
    let status = wait_briefly(&mut child)?;
    // Output still in the pipes, and a `done` that raced the close.
    while let Ok(event) = inbox.recv_timeout(Duration::from_millis(20)) {
        match event {
            Event::Channel(message) => {
                if let ToRunner::Done(report) = *message {
                    done = Some(report);
                }
            }
            Event::Stdout(line) => display.output(&line, false),
            Event::Stderr(line) => display.output(&line, true),
            _ => {}
        }
    }
    Ok(ending(status, done, last, progress))
}

fn ending(
    status: ExitStatus,
    done: Option<Report>,
    last: Option<Report>,
    progress: Option<Progress>,
) -> Ending {
    match done {
        Some(report) => Ending::Done(report),
        None => Ending::Crashed {
            status,
            last,
            progress,
        },
    }
}

/// Waits for the binary to exit after it closed the channel; kills it if it lingers (a user's
/// background thread, say) since everything it measured has been received.
fn wait_briefly(child: &mut Child) -> Result<ExitStatus> {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() > until {
            let _ = child.kill();
            return Ok(child.wait()?);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits for the binary to connect, relaying its output meanwhile. `None` if it exited first.
fn accept(
    listener: &TcpListener,
    child: &mut Child,
    inbox: &Receiver<Event>,
    display: &mut Display,
) -> Result<Option<TcpStream>> {
    listener.set_nonblocking(true)?;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                let _ = stream.set_nodelay(true);
                return Ok(Some(stream));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e).context("side channel accept failed"),
        }
        if child.try_wait()?.is_some() {
            return Ok(None);
        }
        if INTERRUPTS.load(Ordering::Relaxed) > 0 {
            let _ = child.kill();
            let _ = child.wait();
            bail!(Interrupted);
        }
        drain(inbox, display);
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Interrupted before the test binary started measuring.
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted before the load started")
    }
}

impl std::error::Error for Interrupted {}

fn handshake(reader: &mut BufReader<TcpStream>, token: &str) -> Result<()> {
    reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .context("the test binary connected but sent no hello")?;
    reader.get_ref().set_read_timeout(None)?;
    match protocol::hello_protocol(&line) {
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

fn relay_lines(
    stream: impl std::io::Read + Send + 'static,
    events: Sender<Event>,
    wrap: fn(String) -> Event,
) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buffer)
                        .trim_end_matches(['\n', '\r'])
                        .to_owned();
                    if events.send(wrap(line)).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

fn drain(inbox: &Receiver<Event>, display: &mut Display) {
    while let Ok(event) = inbox.try_recv() {
        match event {
            Event::Stdout(line) => display.output(&line, false),
            Event::Stderr(line) => display.output(&line, true),
            _ => {}
        }
    }
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
