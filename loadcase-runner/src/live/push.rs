//! Pushing a run's figures to Prometheus (`--prometheus-remote-write URL`) from a thread of its
//! own: every few seconds the latest cumulative report, once more at the end with the final one.
//! A slow or down endpoint never slows the load: the run hands its figures over and goes on;
//! failed pushes are retried with backoff, counted, and the summary says how many failed.

use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use loadcase::Report;

use super::metrics::{self, Identity};
#[cfg(feature = "otlp")]
use super::otlp;
use super::remote_write::{self, HEADERS};
use super::run_dir;

/// How long one push may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Tries of one push, with a doubling pause between them from this.
const TRIES: u32 = 3;
const BACKOFF: Duration = Duration::from_millis(250);

/// What the pushes came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pushed {
    /// Pushes that the endpoint accepted.
    pub ok: u64,
    /// Pushes that failed after every try.
    pub failed: u64,
    /// Why the last failed one did.
    pub last_error: Option<String>,
}

struct Shared {
    latest: Option<(Report, u64)>,
    finished: bool,
    /// The pushes so far, for an end that cannot wait for the last one.
    so_far: Pushed,
}

/// How long the end of a run waits for its last push: an endpoint that hangs must not hold
/// the summary back for every try of it.
const FINAL_WAIT: Duration = Duration::from_secs(6);

/// Where figures are pushed, and in which form.
#[derive(Clone, Debug)]
pub enum Sink {
    /// Prometheus remote-write 1.0 at this URL.
    RemoteWrite(String),
    /// OTLP/HTTP (JSON) to this endpoint's `/v1/metrics`.
    #[cfg(feature = "otlp")]
    Otlp(String),
}

impl Sink {
    /// How the summary names it.
    pub fn name(&self) -> &'static str {
        match self {
            Sink::RemoteWrite(_) => "Prometheus remote-write",
            #[cfg(feature = "otlp")]
            Sink::Otlp(_) => "OTLP",
        }
    }

    fn url(&self) -> String {
        match self {
            Sink::RemoteWrite(url) => url.clone(),
            #[cfg(feature = "otlp")]
            Sink::Otlp(endpoint) => {
                format!("{}{}", endpoint.trim_end_matches('/'), otlp::METRICS_PATH)
            }
        }
    }

    /// The body of one push and its headers.
    fn request(
        &self,
        who: &Identity,
        report: &Report,
        active: u64,
        start_ms: u64,
    ) -> (Vec<u8>, &'static [(&'static str, &'static str)]) {
        #[cfg(not(feature = "otlp"))]
        let _ = start_ms;
        match self {
            Sink::RemoteWrite(_) => (
                remote_write::body(
                    &metrics::series(who, report, active),
                    run_dir::now_ms() as i64,
                ),
                &HEADERS,
            ),
            #[cfg(feature = "otlp")]
            Sink::Otlp(_) => (
                otlp::body(who, report, active, start_ms, run_dir::now_ms()),
                &[("Content-Type", "application/json")],
            ),
        }
    }
}

/// The pushing thread.
pub struct Pusher {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    done: Receiver<Pushed>,
    name: &'static str,
}

impl Pusher {
    /// Starts pushing to `sink` every `every`.
    pub fn start(sink: Sink, every: Duration, who: Identity) -> Pusher {
        let name = sink.name();
        let shared = Arc::new((
            Mutex::new(Shared {
                latest: None,
                finished: false,
                so_far: Pushed::default(),
            }),
            Condvar::new(),
        ));
        let theirs = shared.clone();
        let (tx, done) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("loadcase-prometheus".into())
            .spawn(move || {
                let _ = tx.send(push_loop(&sink, every, &who, &theirs));
            });
        if let Err(e) = spawned {
            // No thread, no pushes: the run goes on, and its summary says why.
            let (tx, rx) = mpsc::channel();
            let _ = tx.send(Pushed {
                ok: 0,
                failed: 1,
                last_error: Some(format!("cannot start the thread that pushes: {e}")),
            });
            return Pusher {
                shared,
                done: rx,
                name,
            };
        }
        Pusher { shared, done, name }
    }

    /// How the summary names where it pushes.
    pub fn sink_name(&self) -> &'static str {
        self.name
    }

    /// The figures so far, for the next push; never waits for one.
    pub fn update(&self, report: &Report, active_users: u64) {
        let (lock, _) = &*self.shared;
        let mut shared = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        shared.latest = Some((report.clone(), active_users));
    }

    /// Pushes `report` once more, as the run's last figures, and says how the pushes went.
    pub fn finish(self, report: &Report) -> Pushed {
        let (lock, wake) = &*self.shared;
        {
            let mut shared = lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            shared.latest = Some((report.clone(), 0));
            shared.finished = true;
        }
        wake.notify_all();
        self.done.recv_timeout(FINAL_WAIT).unwrap_or_else(|_| {
            let so_far = lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .so_far
                .clone();
            Pushed {
                failed: so_far.failed + 1,
                last_error: Some(format!(
                    "the last push did not end within {} s, so the endpoint may lack the final figures",
                    FINAL_WAIT.as_secs()
                )),
                ..so_far
            }
        })
    }
}

fn push_loop(
    sink: &Sink,
    every: Duration,
    who: &Identity,
    shared: &(Mutex<Shared>, Condvar),
) -> Pushed {
    let mut pushed = Pushed::default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            pushed.failed = 1;
            pushed.last_error = Some(format!("cannot start a runtime to push with: {e}"));
            return pushed;
        }
    };
    let client = reqwest::Client::builder().timeout(TIMEOUT).build();
    let url = sink.url();
    let (lock, wake) = shared;
    loop {
        let (latest, last) = {
            let guard = lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (mut guard, _) = wake
                .wait_timeout_while(guard, every, |s| !s.finished)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (guard.latest.take(), guard.finished)
        };
        if let Some((report, active)) = latest {
            let start_ms = report.started_unix_ms;
            let (body, headers) = sink.request(who, &report, active, start_ms);
            match &client {
                Ok(client) => match runtime.block_on(post(client, &url, body, headers)) {
                    Ok(()) => pushed.ok += 1,
                    Err(e) => {
                        pushed.failed += 1;
                        pushed.last_error = Some(e);
                    }
                },
                Err(e) => {
                    pushed.failed += 1;
                    pushed.last_error = Some(format!("cannot make an HTTP client: {e}"));
                }
            }
        }
        lock.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .so_far = pushed.clone();
        if last {
            return pushed;
        }
    }
}

/// One push, tried up to [`TRIES`] times.
async fn post(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> Result<(), String> {
    let mut pause = BACKOFF;
    let mut last = String::new();
    for attempt in 0..TRIES {
        if attempt > 0 {
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        let mut request = client.post(url).body(body.clone());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        match request.send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                last = format!("{status}: {}", text.trim());
                // A request the endpoint refuses will be refused again.
                if status.is_client_error() {
                    break;
                }
            }
            Err(e) => last = error_text(e),
        }
    }
    Err(last)
}

/// reqwest's error and its causes, without any password of the URL.
fn error_text(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}
