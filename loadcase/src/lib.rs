//! Load tests written as Rust tests.
//!
//! Mark an async test function `#[load_test]`. `cargo test` runs it once, as the functional
//! test it is; `cargo loadrun` runs the same function as a load test, with many virtual users
//! each running it many times, and prints what it measured.
//!
//! # A first test
//!
//! In `tests/example.rs` of your crate, with `loadcase` as a dev-dependency:
//!
//! ```no_run
//! use loadcase::prelude::*;
//!
//! #[load_test]
//! async fn test_es(cx: &mut Context) -> TestResult {
//!     cx.session.get("http://127.0.0.1:9200/").send().await?;
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! ```text
//! cargo test --test example                      # one hit: passes or fails like any test
//! cargo loadrun example::test_es -u 100 -c 10    # 100 users × 10 hits each
//! cargo loadrun example::test_es -u 10:20:30 --hits 20   # three stages: 1200 hits
//! cargo loadrun example::test_es -u 50 -d 30s    # 50 users for 30 seconds
//! cargo loadrun example::browse:3 example::checkout:1 -u 100   # a mix: 75 and 25 users
//! cargo loadrun --list                           # every load test, with file and line
//! ```
//!
//! `cargo loadrun` comes from the `loadcase-runner` package: `cargo install loadcase-runner`
//! (or `--path loadcase-runner` in a clone). It builds the test target in release mode, runs the
//! test binary with the plan, shows progress on stderr and prints the summary on stdout: Mozilla
//! Loads' block (`Hits`, `Started`, `Duration`, `Approximate Average RPS`, …, `Success`,
//! `Errors`, `Failures`), then a table per request name, status codes, counters, and failures and
//! errors grouped by message and location. `--server-url URL` sets the base of `cx.app`, `-q`
//! hides the progress. It exits 0 when every hit succeeded, 1 when some did not, 2 on a usage or
//! build error or a crashed test binary, 130 on Ctrl-C. `LOADCASE_WORKER_THREADS` sets the load
//! engine's threads (default: one per core).
//!
//! # What a hit can use
//!
//! Each virtual user gets one [`Context`], reused for all of its hits:
//!
//! - [`cx.session`](Session): `reqwest::Client`'s API with a cookie jar of its own, so that a
//!   reqwest test ports by renaming its client (`r.text().await?`, `r.json::<T>().await?`,
//!   `r.error_for_status()?`). Every request is recorded by name (`GET /path` unless you
//!   [`.name(…)`](RequestBuilder::name) it), status, time to first and to last byte, and
//!   bytes. The reqwest types it takes and gives are [`loadcase::reqwest`]'s: you
//!   need no reqwest dependency of your own.
//! - [`cx.ws(url)`](Context::ws): a [`WebSocket`] whose sockets, messages and bytes are counted.
//! - [`cx.app`](App): requests rooted at the server URL, awaited directly; a status other than
//!   2xx/3xx (or than the [`expect_status`](AppRequest::expect_status) given) is a failure, and
//!   the [`AppResponse`] has its body at hand (`page.text()`).
//! - [`cx.incr`](Context::incr) for custom counters, [`cx.user()`](Context::user) and
//!   [`cx.hit()`](Context::hit) for indices, [`cx.state`](Context::state) for per-user values.
//!
//! ```no_run
//! use loadcase::prelude::*;
//!
//! #[load_test]
//! async fn test_ws(cx: &mut Context) -> TestResult {
//!     let mut ws = cx.ws("ws://127.0.0.1:9000/ws").await?;
//!     ws.send_text("something").await?;
//!     assert_eq!(ws.recv_text().await?, "something");
//!     Ok(())
//! }
//!
//! #[load_test(server_url = "http://127.0.0.1:8080")]
//! async fn test_app(cx: &mut Context) -> TestResult {
//!     let page = cx.app.get("/").await?;
//!     assert!(page.text().contains("Search"));
//!     cx.incr("pages");
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! # Per-user setup and teardown
//!
//! `#[load_test(setup = login, teardown = logout)]` names async functions that run once per
//! virtual user, on its own context: `login` before its first hit, `logout` after its last. They
//! take `cx: &mut Context` and return what a test may return. They are timed apart from the
//! hits and are not hits; a user whose setup fails runs none of its hits (they are counted as
//! not run, with the setup's problem among the grouped failures), nor its teardown. Under
//! `cargo test` the one hit runs between them, and a failing setup fails the test, naming it.
//!
//! ```no_run
//! use loadcase::prelude::*;
//!
//! async fn login(cx: &mut Context) -> TestResult {
//!     let user = format!("user{}", cx.user());
//!     cx.app.post("/login").form(&[("user", user.as_str())]).await?;
//!     Ok(())
//! }
//!
//! async fn logout(cx: &mut Context) -> TestResult {
//!     cx.app.post("/logout").await?;
//!     Ok(())
//! }
//!
//! #[load_test(setup = login, teardown = logout, server_url = "http://127.0.0.1:8080")]
//! async fn dashboard(cx: &mut Context) -> TestResult {
//!     let me = cx.app.get("/whoami").await?;
//!     assert_eq!(me.text(), format!("user{}", cx.user()));
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! # Mixes
//!
//! `cargo loadrun example::browse:3 example::checkout:1 -u 100` runs several tests of one
//! target in one load: each virtual user runs one of them, chosen by weight (1 to 1000, default
//! 1), and any `sum(weights)` consecutive users hold each test's exact share. The report's
//! [`by_test`](Report::by_test) holds each test's own figures; [`engine::run_mix`] does the same
//! without the runner.
//!
//! # Data
//!
//! `static USERS: Dataset<User> = dataset!("data/users.csv");` embeds a CSV (with a header) or
//! JSON lines file of your package, checked while compiling; `USERS.next(cx)?` hands each hit a
//! row deserialized into your `serde` struct, round-robin, [`.random()`](Dataset::random) or
//! [`.unique()`](Dataset::unique) across the whole run. The [`dataset`](mod@dataset) module tells it all.
//!
//! # How hits end
//!
//! - **success**: the function returned `()` or `Ok(())`;
//! - **failure**: it panicked (every `assert!`), `cx.app` got an unexpected status, or it used
//!   [`fail!`];
//! - **error**: it returned any other `Err`, typically a transport error through `?`.
//!
//! The return type may be `()` or `Result<(), E>` for any displayable `E`; [`TestResult`] is
//! the convenient one, since its [`Error`] records where each `?` was. A failing hit never
//! stops the run: it is counted, grouped by message and location, and the user goes on.
//!
//! # Load shapes
//!
//! `-u 10:20:30` runs stages of users at once; `--ramp-up 30s [--ramp random]` spreads each
//! stage's starts, `--stage-pause 5s` rests between stages, and `--stages '10@30s, 50@2m, 0@30s'`
//! moves the number of users linearly toward each target. `--rate 500/s -d 1m` is the open
//! model: hits start at that rate whatever the response times, from a pool of users bounded by
//! `--max-users`; a hit that finds no free user in time is counted as dropped, and hit times are
//! also measured from when each hit was due ([`HitStats::corrected`](report::HitStats), free of
//! coordinated omission). `--think 100ms..500ms` paces a user's hits, and
//! [`cx.think(d)`](Context::think) pauses inside a hit without counting the pause. The same
//! plans are [`Plan`]s for [`engine::run`], built from the options by [`Plan::parse_args`].
//!
//! # Without the runner
//!
//! [`engine::run`] takes a [`LoadTest`](registry::LoadTest) and a [`Plan`] and returns a
//! [`Report`] (see its example); the `cargo loadrun` runner is a thin layer over it and the
//! [`protocol`]. Reports serialize with serde, histograms included, and
//! [`Report::merge`] combines the reports of several processes exactly.
#![warn(missing_docs)]

// `dataset!` and `#[load_test]` expand to `::loadcase::…`, which this crate's own tests use too.
extern crate self as loadcase;

mod context;
mod control;
mod dataset;
mod engine;
mod harness;
mod http;
mod outcome;
pub mod plan;
mod protocol;
mod record;
pub mod report;
mod test;
mod ws;

/// The reqwest crate that [`Session`] is built on, re-exported so that the types a session takes
/// and gives (`Method`, `StatusCode`, `header::HeaderMap`, `header::HeaderValue`, `Url`,
/// `Version`, `Body`, `IntoUrl`, `Request`) need no reqwest dependency of your own, nor a
/// matching version of it.
///
/// ```
/// use loadcase::reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
/// use loadcase::reqwest::{Body, IntoUrl, Method, Request, StatusCode, Url, Version};
///
/// async fn hit(cx: &mut loadcase::Context, url: impl IntoUrl) -> loadcase::TestResult {
///     let mut headers = HeaderMap::new();
///     headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
///     let r = cx
///         .session
///         .request(Method::PUT, url)
///         .headers(headers)
///         .version(Version::HTTP_11)
///         .body(Body::from("hello"))
///         .send()
///         .await?;
///     assert_eq!(r.status(), StatusCode::OK);
///     let request = Request::new(Method::GET, Url::parse("http://127.0.0.1:8080/")?);
///     cx.session.execute(request).await?;
///     Ok(())
/// }
/// ```
pub use reqwest;

pub use context::Context;
pub use control::{Control, Progress};
pub use dataset::{Dataset, DatasetError, Strategy};
pub use engine::{run, run_mix};
pub use http::app::{App, AppRequest};
pub use http::client::DEFAULT_REQUEST_TIMEOUT;
pub use http::error::SendError;
pub use http::response::{AppResponse, Response};
pub use http::session::{RequestBuilder, Session};
pub use loadcase_macros::{dataset, load_test};
pub use outcome::error::{Error, ProblemKind};
pub use outcome::{IntoOutcome, Outcome, Problem};
pub use plan::model::Plan;
pub use report::model::Report;
pub use test::{HitFuture, Test, TestFn};
pub use ws::{Message, WebSocket, WsError};

/// What a load test usually returns. `?` converts any error into [`Error`], remembering where.
pub type TestResult<T = ()> = Result<T, Error>;

/// Everything a test file needs: `use loadcase::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AppResponse, Context, Dataset, Error, Message, Response, TestResult, WebSocket, dataset,
        fail, load_test,
    };
}

/// Used by the code `#[load_test]` and `dataset!` generate, and by `cargo loadrun`. Not public
/// API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::context::Context;
    pub use crate::dataset::{Dataset, Format as DataFormat};
    pub use crate::harness::registry::{LoadTest, announce};
    pub use crate::harness::run_test;
    pub use crate::outcome::{IntoOutcome, Outcome};
    pub use crate::test::{TestFn, boxed as call, check};

    /// The runner's side: the contract between `cargo loadrun` and a test binary, and what the
    /// runner reuses of the library.
    pub mod runner {
        pub use crate::engine::workers::worker_threads;
        pub use crate::harness::registry::ListedTest;
        pub use crate::plan::args::PlanArgs;
        pub use crate::protocol::{
            PROTOCOL_VERSION, ToChild, ToRunner, env, hello_protocol, receive, send, send_report,
        };
        pub use crate::report::series::splice;
    }
}
