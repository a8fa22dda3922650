//! The per-user [`Context`] handed to every hit.

use std::any::{Any, TypeId};
use std::collections::HashMap;

use std::time::Duration;

use crate::control::Control;
use crate::http::app::App;
use crate::http::session::Session;
use crate::plan::segment::Segment;
use crate::record::recorder::Recorder;
use crate::ws::{WebSocket, WsError};

/// One virtual user's state, reused for all of that user's hits (as Loads kept one `TestCase`
/// per user): cookies persist, and anything put in [`state`](Self::state) survives to the next hit.
pub struct Context {
    /// This user's HTTP session.
    pub session: Session,
    /// The application under test, rooted at the server URL.
    pub app: App,
    user: u64,
    hit: u64,
    rec: Recorder,
    // The run's control, so that a hit can stop the whole run (a dataset out of rows); `None`
    // under `cargo test`.
    control: Option<Control>,
    // Time spent in `think` during the current hit, left out of its time.
    thought: Duration,
    // The share of the plan this process runs: which rows of a unique dataset are its own.
    segment: Segment,
    // Boxed and lazily made: most tests keep no state, and 10,000 idle users should stay small
    // (8 bytes per user instead of a 48-byte empty map).
    #[allow(clippy::box_collection)]
    state: Option<Box<HashMap<TypeId, Box<dyn Any + Send + Sync>>>>,
}

impl Context {
    pub(crate) fn new(user: u64, rec: Recorder, server_url: Option<String>) -> Self {
        Self::with_limits(
            user,
            rec,
            server_url,
            crate::DEFAULT_REQUEST_TIMEOUT,
            crate::http::transport::body::DEFAULT_BODY_LIMIT,
            crate::tls::config::default_config(),
        )
    }

    /// A context whose session times requests out after `timeout` and keeps at most
    /// `body_limit` bytes of a body (of a WebSocket message: takes at most that), unless a
    /// request says otherwise, and whose TLS connections use `tls`.
    pub(crate) fn with_limits(
        user: u64,
        rec: Recorder,
        server_url: Option<String>,
        timeout: Duration,
        body_limit: u64,
        tls: Option<crate::tls::config::Tls>,
    ) -> Self {
        let transport = crate::http::transport::Transport::new(timeout, body_limit, tls);
        let session = Session::new(transport, rec.clone(), user);
        let app = App::new(session.clone(), server_url);
        Context {
            session,
            app,
            user,
            hit: 0,
            rec,
            control: None,
            thought: Duration::ZERO,
            segment: Segment::WHOLE,
            state: None,
        }
    }

    pub(crate) fn with_control(mut self, control: Control) -> Self {
        self.control = Some(control);
        self
    }

    pub(crate) fn with_segment(mut self, segment: Segment) -> Self {
        self.segment = segment;
        self
    }

    /// The share of the plan this process runs.
    pub(crate) fn segment(&self) -> Segment {
        self.segment
    }

    /// Stops the whole run (no new hits; running ones finish) and records why, for the summary.
    /// Does nothing under `cargo test`, where the hit's own error fails the test.
    pub(crate) fn stop_run(&self, reason: String) {
        if let Some(control) = &self.control {
            control.stop_because(reason);
        }
    }

    /// Takes the time spent thinking since the last call.
    pub(crate) fn take_thought(&mut self) -> Duration {
        std::mem::take(&mut self.thought)
    }

    /// Pauses this user for `pause`, as a person reading a page would: the time is left out of
    /// the hit's time (and, like any pause, of every request's).
    ///
    /// ```no_run
    /// # use loadcase::prelude::*;
    /// # use std::time::Duration;
    /// #[load_test]
    /// async fn browse(cx: &mut Context) -> TestResult {
    ///     cx.app.get("/").await?;
    ///     cx.think(Duration::from_millis(500)).await;
    ///     cx.app.get("/search?q=rust").await?;
    ///     Ok(())
    /// }
    /// # fn main() {}
    /// ```
    pub async fn think(&mut self, pause: Duration) {
        let started = std::time::Instant::now();
        tokio::time::sleep(pause).await;
        self.thought += started.elapsed();
    }

    pub(crate) fn set_hit(&mut self, hit: u64) {
        self.hit = hit;
    }

    /// Opens a WebSocket, counted in the summary's `Opened web sockets`.
    ///
    /// A message larger than the run's body limit (`--body-limit`, by default
    /// [`DEFAULT_BODY_LIMIT`](crate::DEFAULT_BODY_LIMIT)) is refused as it arrives, with an
    /// error that names the URL, so that a server cannot make a user hold more than that.
    pub async fn ws(&self, url: impl AsRef<str>) -> Result<WebSocket, WsError> {
        let transport = self.session.transport();
        WebSocket::connect(
            url.as_ref(),
            self.rec.clone(),
            transport.tls().map(|tls| tls.ws.clone()),
            transport.body_limit(),
        )
        .await
    }

    /// Adds one to the custom counter `name` (Loads' `incr_counter`).
    pub fn incr(&self, name: &str) {
        self.rec.incr(name, 1);
    }

    /// Adds `by` to the custom counter `name`.
    pub fn incr_by(&self, name: &str, by: u64) {
        self.rec.incr(name, by);
    }

    /// This user's index in the run, from 0, unique across stages.
    pub fn user(&self) -> u64 {
        self.user
    }

    /// This hit's index among this user's hits, from 0.
    pub fn hit(&self) -> u64 {
        self.hit
    }

    /// This user's value of type `T`, kept across hits (a logged-in token, an open WebSocket).
    pub fn state<T: Any + Send + Sync>(&mut self) -> Option<&mut T> {
        self.state
            .as_mut()?
            .get_mut(&TypeId::of::<T>())?
            .downcast_mut()
    }

    /// Stores a value of type `T` for this user's later hits, replacing any earlier one.
    pub fn set_state<T: Any + Send + Sync>(&mut self, value: T) {
        self.state
            .get_or_insert_default()
            .insert(TypeId::of::<T>(), Box::new(value));
    }

    /// Removes and returns this user's value of type `T`.
    pub fn take_state<T: Any + Send + Sync>(&mut self) -> Option<T> {
        let boxed = self.state.as_mut()?.remove(&TypeId::of::<T>())?;
        boxed.downcast().ok().map(|b| *b)
    }
}
