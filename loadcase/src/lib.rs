//! Load tests written as Rust tests.
//!
//! Mark an async test function [`#[load_test]`](load_test). `cargo test` runs it once, as the
//! functional test it is; `cargo loadrun` runs the same function as a load test, with many
//! virtual users each running it many times, and prints what it measured.
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
//! `cargo loadrun` comes from the `loadcase-runner` package of loadcase's repository (not on
//! crates.io yet): `cargo install --locked --path loadcase-runner` in a clone. It builds the test
//! target in release mode, runs the test binary with the plan, shows progress on stderr and
//! prints the summary on stdout: Mozilla Loads' block (`Hits`, `Started`, `Duration`,
//! `Approximate Average RPS`, …, `Success`, `Errors`, `Failures`), then a table per request
//! name, status codes, counters, and failures and errors grouped by message and location.
//!
//! # What a hit can use
//!
//! Each virtual user gets one [`Context`], reused for all of its hits:
//!
//! - [`cx.session`](Session): `reqwest::Client`'s API with a cookie jar of its own, so that a
//!   reqwest test ports by renaming its client (`r.text().await?`, `r.json::<T>().await?`,
//!   `r.error_for_status()?`). Every request is recorded by name (`GET /path` unless you
//!   [`.name(…)`](RequestBuilder::name) it), status, time to first and to last byte, and
//!   bytes. The reqwest types it takes and gives are those of the re-exported [`reqwest`]: you
//!   need no reqwest dependency of your own.
//! - [`cx.ws(url)`](Context::ws): a [`WebSocket`] whose sockets, messages and bytes are counted.
//! - [`cx.app`](App): requests rooted at the server URL, awaited directly; a status other than
//!   2xx/3xx (or than the [`expect_status`](AppRequest::expect_status) given) is a failure, and
//!   the [`AppResponse`] has its body at hand (`page.text()`).
//! - [`cx.incr`](Context::incr) for custom counters, [`cx.user()`](Context::user) and
//!   [`cx.hit()`](Context::hit) for indices, [`cx.state`](Context::state) for per-user values,
//!   [`cx.think`](Context::think) for a pause left out of the hit's time.
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
//! # How hits end
//!
//! - **success**: the function returned `()` or `Ok(())`;
//! - **failure**: it panicked (every `assert!`), `cx.app` got an unexpected status, or it used
//!   [`fail!`];
//! - **error**: it returned any other `Err`, typically a transport error through `?`.
//!
//! The return type may be `()` or `Result<(), E>` for any displayable `E` (see
//! [`IntoOutcome`]); [`TestResult`] is the convenient one, since its [`Error`] records where each
//! `?` was. A failing hit never stops the run: it is counted, grouped by message and location,
//! and the user goes on.
//!
//! # Per-user setup and teardown, mixes, data
//!
//! `#[load_test(setup = login, teardown = logout)]` runs `login` once per virtual user before
//! its first hit and `logout` after its last ([`load_test`] tells the rules).
//! `cargo loadrun example::browse:3 example::checkout:1 -u 100` runs several tests of one target
//! in one load, each user running one of them by weight; the report's
//! [`by_test`](Report::by_test) holds each test's own figures. [`dataset!`] embeds a CSV or JSON
//! lines file, checked while compiling, and hands each hit a row.
//!
//! # Load shapes
//!
//! `-u 10:20:30` runs stages of users at once; `--ramp-up 30s [--ramp random]` spreads each
//! stage's starts, `--stage-pause 5s` rests between stages, and `--stages '10@30s, 50@2m, 0@30s'`
//! moves the number of users linearly toward each target. `--rate 500/s -d 1m` is the open
//! model: hits start at that rate whatever the response times, from a pool of users bounded by
//! `--max-users`; a hit that finds no free user in time is counted as dropped, and hit times are
//! also measured from when each hit was due ([`HitStats::corrected`](report::HitStats), free of
//! coordinated omission). `--think 100ms..500ms` paces a user's hits. Each is a [`Plan`] with its
//! [`Shape`](plan::Shape), which also reads from that very text:
//! `"--rate 500/s -d 1m".parse::<Plan>()`.
//!
//! # Without the runner
//!
//! A [`Test`] is built in code as well as by the attribute, and [`run`] runs it: a plan in, a
//! [`Report`] out, serializable with serde, histograms included, so that the reports of several
//! processes merge exactly ([`Report::merge`]).
//!
//! ```
//! use loadcase::{Context, Control, Plan, Test, TestResult};
//!
//! async fn browse(cx: &mut Context) -> TestResult {
//!     cx.incr("pages");
//!     Ok(())
//! }
//!
//! let test = Test::new("shop::browse", browse).threshold("hit_error_rate<1%");
//! let plan: Plan = "-u 10:20 -c 5".parse().unwrap();
//! let report = loadcase::run(&test, &plan, &Control::default(), &mut |_progress, _so_far| {});
//! assert_eq!(report.stats.hits.success, 150);
//! assert_eq!(report.stats.counters["pages"], 150);
//! ```
//!
//! # One plan over several processes
//!
//! A plan splits into `N` equal [`Segment`](plan::Segment)s (`cargo loadrun --segment K/N`, or
//! `--segments N` under a Kubernetes Indexed Job or Slurm's `srun`): each runs its share of
//! every stage's users, targets, open-model arrivals and unique dataset rows, by their index in
//! the whole plan, and [`merge_segments`](report::merge_segments) adds their reports up into the
//! whole run's, refusing reports of another run or plan and naming the segments it lacks.
//!
//! ```
//! use loadcase::plan::Segment;
//! use loadcase::report::merge_segments;
//! use loadcase::{Context, Control, Plan, Test};
//!
//! let test = Test::new("shop::browse", async |cx: &mut Context| cx.incr("pages"));
//! let mut whole: Plan = "-u 10:20 -c 5".parse().unwrap();
//! whole.run_id = Some("run-1".into());
//! let reports: Vec<(String, loadcase::Report)> = (1..=3)
//!     .map(|k| {
//!         let plan = whole.clone().with_segment(Segment::new(k, 3).unwrap()).unwrap();
//!         let report = loadcase::run(&test, &plan, &Control::default(), &mut |_, _| {});
//!         (format!("seg-{k}.json"), report)
//!     })
//!     .collect();
//! assert_eq!(reports[0].1.stats.hits.success, 55, "users 4 of 10 and 7 of 20, 5 hits each");
//! let third = Segment::new(3, 3).unwrap();
//! assert_eq!(whole.share_text(third), "users 3 of 10, 6 of 20 per stage, 45 hits");
//! let merged = merge_segments(reports, None).unwrap();
//! assert!(!merged.is_partial());
//! assert_eq!(merged.report.stats.hits.success, 150);
//! ```
//!
//! # Exit codes of `cargo loadrun`
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | every hit succeeded (and every threshold was met) |
//! | 1 | some hits failed, ended in an error or were cancelled, none completed, a setup or teardown failed, or the test stopped the run |
//! | 2 | a usage or build error, a report that could not be written, or a crashed test binary |
//! | 3 | every hit succeeded but a threshold was broken |
//! | 4 | `--fail-on-regression`: `--compare` found a regression |
//! | 5 | a segment was ready only after `--start-at` and its grace, and ran nothing |
//! | 6 | `cargo loadrun merge`: a segment is missing or did not finish; the figures cover the rest |
//! | 130 | interrupted (Ctrl-C) |
//!
//! A segment exits 0 once it has run its share, whatever its hits did: the merge judges the run.
//!
//! # The allocator
//!
//! With its default feature `mimalloc`, loadcase makes
//! [mimalloc](https://github.com/microsoft/mimalloc) the global allocator of every binary it is
//! linked into (your test binaries), as oha does with jemalloc: a request allocates a few dozen
//! times, and glibc's allocator cost more CPU per request than any other part of loadcase's own. A crate with a `#[global_allocator]` of its own
//! gets a compile error naming both; it keeps its own with
//! `loadcase = { version = "…", default-features = false }`.
//!
//! `LOADCASE_WORKER_THREADS` sets the load engine's threads (default: one per core);
//! `LOADCASE_SERVER_URL` the server URL of `cx.app`, below `--server-url` and above the
//! attribute's.
//!
//! # The API at a glance
//!
//! | item | what it is |
//! | --- | --- |
//! | [`load_test`] | the attribute that makes an async fn a load test |
//! | [`dataset!`] | a data file embedded and checked while compiling |
//! | [`fail!`] | ends a hit as a failure |
//! | [`prelude`] | what a test file needs |
//! | [`Context`] | one virtual user's state, handed to every hit |
//! | [`Session`], [`RequestBuilder`], [`Response`], [`SendError`] | `cx.session`: HTTP with reqwest's API, recorded |
//! | [`App`], [`AppRequest`], [`AppResponse`] | `cx.app`: requests rooted at the server URL |
//! | [`DEFAULT_REQUEST_TIMEOUT`], [`DEFAULT_BODY_LIMIT`] | a session request's timeout and the most of a body it keeps, unless told otherwise |
//! | [`WebSocket`], [`Message`], [`WsError`] | `cx.ws(url)`: a counted WebSocket |
//! | [`Dataset`], [`DatasetError`], [`Strategy`] | rows of a data file, handed to hits |
//! | [`Error`], [`ProblemKind`], [`TestResult`] | what a hit returns, and how it ended |
//! | [`IntoOutcome`], [`Outcome`], [`Problem`] | what a hit may return, classified |
//! | [`Test`], [`TestFn`] | a load test built in code (what the attribute makes) |
//! | [`Plan`], [`plan`] | what to run: users, hits, durations, rates |
//! | [`run`], [`run_mix`], [`Control`], [`Progress`] | running a plan in this process |
//! | [`Run`], [`Event`], [`Snapshots`], [`Snapshot`] | a run on a thread of its own: its latest progress and snapshot, an async stream of snapshots at a chosen interval, its events as they come, stop, the final report |
//! | [`Report`], [`report`] | what a run measured: statistics, figures, thresholds |
//! | [`reqwest`], [`tungstenite`] | the crates under `cx.session` and `cx.ws`, for their types |

#![warn(missing_docs)]

// `dataset!` and `#[load_test]` expand to `::loadcase::…`, which this crate's own tests use too.
extern crate self as loadcase;

#[cfg(feature = "mimalloc")]
mod alloc;
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
mod run;
mod test;
mod tls;
mod ws;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: alloc::Mimalloc = alloc::Mimalloc;

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
/// The tungstenite crate under [`WebSocket`], for its [`Message`] and errors without a matching
/// version of your own.
pub use tokio_tungstenite::tungstenite;

pub use context::Context;
pub use control::{Control, Progress};
pub use dataset::{Dataset, DatasetError, Strategy};
pub use engine::{run, run_mix};
pub use http::app::{App, AppRequest};
pub use http::client::DEFAULT_REQUEST_TIMEOUT;
pub use http::error::SendError;
pub use http::response::{AppResponse, Response};
pub use http::session::{RequestBuilder, Session};
pub use http::transport::body::DEFAULT_BODY_LIMIT;
#[doc = include_str!("../docs/dataset.md")]
pub use loadcase_macros::dataset;
#[doc = include_str!("../docs/load_test.md")]
pub use loadcase_macros::load_test;
pub use outcome::error::{Error, ProblemKind};
pub use outcome::{IntoOutcome, Outcome, Problem};
pub use plan::model::Plan;
pub use report::model::Report;
pub use run::{Event, Run, Snapshot, Snapshots};
pub use test::{Test, TestFn};
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
        pub use crate::record::private::{FILE_MODE, create as create_private};
        pub use crate::record::redact::{REDACTED, passwords_in};
        pub use crate::report::series::splice;
        pub use crate::tls::config::read_ca_cert;
    }
}
