//! [`Test`]: a load test as the engine runs it — a hit, with an optional per-user setup and
//! teardown, a server URL and thresholds — built in code with [`Test::new`], or from a
//! `#[load_test]` function by the harness.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::context::Context;
use crate::outcome::{IntoOutcome, Outcome};

/// The future of one hit, setup or teardown, with its value classified.
pub type HitFuture<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// A hit, setup or teardown as the engine calls it.
pub(crate) type Step = Arc<dyn for<'a> Fn(&'a mut Context) -> HitFuture<'a> + Send + Sync>;

/// An `async fn(cx: &mut Context)` returning `()` or `Result<(), E: Display>`: what a hit, a
/// setup and a teardown are. Implemented for every such function and for async closures of that
/// shape (`async |cx: &mut Context| { … }`, `async move` ones whose captures are `Clone`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an `async fn(cx: &mut Context)` returning `()` or `Result<(), E>`",
    label = "hits, `setup` and `teardown` are an `async fn(cx: &mut Context) -> TestResult` (or an async closure of that shape)",
    note = "write e.g. `async fn login(cx: &mut Context) -> TestResult {{ … }}` and `#[load_test(setup = login)]`"
)]
pub trait TestFn<'a> {
    /// The function's future.
    type Future: Future<Output = Self::Output> + 'a;
    /// What the function returns.
    type Output: IntoOutcome;
    /// Calls it.
    fn call(self, cx: &'a mut Context) -> Self::Future;
}

impl<'a, F, Fut> TestFn<'a> for F
where
    F: FnOnce(&'a mut Context) -> Fut,
    Fut: Future + 'a,
    Fut::Output: IntoOutcome,
{
    type Future = Fut;
    type Output = Fut::Output;

    fn call(self, cx: &'a mut Context) -> Fut {
        self(cx)
    }
}

/// Runs `f` on the user's context, its value classified into an [`Outcome`]. Its future must be
/// `Send`: a user is started from the engine's thread onto a worker thread.
pub fn boxed<'a, F>(f: F, cx: &'a mut Context) -> HitFuture<'a>
where
    F: TestFn<'a>,
    F::Future: Send,
{
    Box::pin(Classified(Box::pin(f.call(cx))))
}

/// A function's future whose value becomes an [`Outcome`].
struct Classified<Fut>(Pin<Box<Fut>>);

impl<Fut: Future<Output: IntoOutcome>> Future for Classified<Fut> {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<Outcome> {
        self.0.as_mut().poll(task).map(IntoOutcome::into_outcome)
    }
}

/// Makes a [`Step`] of any [`TestFn`].
fn step<F>(f: F) -> Step
where
    F: for<'a> TestFn<'a> + Clone + Send + Sync + 'static,
    for<'a> <F as TestFn<'a>>::Future: Send,
{
    Arc::new(move |cx| boxed(f.clone(), cx))
}

/// A load test: what [`run`](crate::run) runs and `#[load_test]` makes of a function.
///
/// ```
/// use loadcase::{Context, Control, Plan, Test, TestResult};
///
/// async fn login(cx: &mut Context) -> TestResult {
///     cx.incr("logins");
///     Ok(())
/// }
///
/// let test = Test::new("checkout", async |cx: &mut Context| -> TestResult {
///     cx.incr("checkouts");
///     Ok(())
/// })
/// .setup(login)
/// .threshold("hit_error_rate<1%");
/// let plan = Plan::parse(Some("10:20"), Some("5"), None).unwrap();
/// let report = loadcase::run(&test, &plan, &Control::default(), &mut |_progress, _so_far| {});
/// assert_eq!(report.stats.hits.success, 150);
/// assert_eq!(report.stats.counters["checkouts"], 150);
/// assert_eq!(report.stats.counters["logins"], 30);
/// ```
#[derive(Clone)]
pub struct Test {
    name: String,
    location: String,
    server_url: Option<String>,
    thresholds: Vec<String>,
    hit: Step,
    setup: Option<Step>,
    teardown: Option<Step>,
}

impl Test {
    /// A test called `name` whose every hit runs `hit`: an `async fn(cx: &mut Context)` or an
    /// async closure of that shape, returning `()` or `Result<(), E: Display>`. Its location in
    /// reports is where `new` was called.
    #[track_caller]
    pub fn new<F>(name: impl Into<String>, hit: F) -> Test
    where
        F: for<'a> TestFn<'a> + Clone + Send + Sync + 'static,
        for<'a> <F as TestFn<'a>>::Future: Send,
    {
        let caller = Location::caller();
        Test::from_step(
            name.into(),
            format!("{}:{}", caller.file(), caller.line()),
            step(hit),
        )
    }

    pub(crate) fn from_step(name: String, location: String, hit: Step) -> Test {
        Test {
            name,
            location,
            server_url: None,
            thresholds: Vec::new(),
            hit,
            setup: None,
            teardown: None,
        }
    }

    /// Runs `setup` once per virtual user, before its first hit, on the user's own context (a
    /// login). A user whose setup fails runs none of its hits.
    pub fn setup<F>(mut self, setup: F) -> Test
    where
        F: for<'a> TestFn<'a> + Clone + Send + Sync + 'static,
        for<'a> <F as TestFn<'a>>::Future: Send,
    {
        self.setup = Some(step(setup));
        self
    }

    /// Runs `teardown` once per virtual user, after its last hit (also after a stop).
    pub fn teardown<F>(mut self, teardown: F) -> Test
    where
        F: for<'a> TestFn<'a> + Clone + Send + Sync + 'static,
        for<'a> <F as TestFn<'a>>::Future: Send,
    {
        self.teardown = Some(step(teardown));
        self
    }

    /// The base URL of [`cx.app`](crate::App), below the plan's
    /// [`server_url`](crate::Plan::server_url) and `LOADCASE_SERVER_URL`.
    pub fn server_url(mut self, url: impl Into<String>) -> Test {
        self.server_url = Some(url.into());
        self
    }

    /// Adds a threshold such as `"p95<200ms"`, checked on the run's figures as the runner's
    /// `--threshold` is (see [`Threshold`](crate::report::Threshold)); carried in the report's
    /// [`thresholds`](crate::Report::thresholds).
    pub fn threshold(mut self, threshold: impl Into<String>) -> Test {
        self.thresholds.push(threshold.into());
        self
    }

    pub(crate) fn with_setup_step(mut self, setup: Option<Step>) -> Test {
        self.setup = setup;
        self
    }

    pub(crate) fn with_teardown_step(mut self, teardown: Option<Step>) -> Test {
        self.teardown = teardown;
        self
    }

    pub(crate) fn with_thresholds(mut self, thresholds: Vec<String>) -> Test {
        self.thresholds = thresholds;
        self
    }

    pub(crate) fn with_server_url(mut self, url: Option<String>) -> Test {
        self.server_url = url;
        self
    }

    /// The name it is reported under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `file:line` where it is defined.
    pub fn location(&self) -> &str {
        &self.location
    }

    pub(crate) fn declared_server_url(&self) -> Option<&str> {
        self.server_url.as_deref()
    }

    /// Its thresholds, as written.
    pub fn thresholds(&self) -> &[String] {
        &self.thresholds
    }

    pub(crate) fn hit_step(&self) -> &Step {
        &self.hit
    }

    pub(crate) fn setup_step(&self) -> Option<&Step> {
        self.setup.as_ref()
    }

    pub(crate) fn teardown_step(&self) -> Option<&Step> {
        self.teardown.as_ref()
    }
}

impl fmt::Debug for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Test")
            .field("name", &self.name)
            .field("location", &self.location)
            .field("server_url", &self.server_url)
            .field("thresholds", &self.thresholds)
            .field("setup", &self.setup.is_some())
            .field("teardown", &self.teardown.is_some())
            .finish_non_exhaustive()
    }
}

/// Checks the shape of `f` where no hit is compiled (builds without `--test`), in a `const`.
pub const fn check<F: for<'a> TestFn<'a>>(_: &F) {}
