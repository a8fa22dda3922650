//! What the `#[test]` that `#[load_test]` generates does: one functional hit under `cargo test`,
//! or the whole plan when `cargo loadrun` started this binary.

pub(crate) mod registry;

use std::future::Future;
use std::io::{BufReader, BufWriter};
use std::net::TcpStream;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use crate::context::Context;
use crate::control::Control;
use crate::outcome::{Outcome, Problem};
use crate::plan::model::Plan;
use crate::protocol::{self, PROTOCOL_VERSION, ToChild, ToRunner, env};
use crate::record::recorder::Recorder;
use crate::test::HitFuture;
use registry::LoadTest;

/// Snapshots are sent every this many progress ticks (once a second).
const SNAPSHOT_EVERY: u32 = 4;

/// Entry point of a generated test.
pub fn run_test(test: &'static LoadTest) {
    match std::env::var(env::PLAN) {
        Ok(plan) if std::env::var(env::TEST).is_ok_and(|t| t == test.test_name()) => {
            load(test, &plan)
        }
        _ => functional(test),
    }
}

/// `cargo test`: one user, one hit, with its setup before and its teardown after; a panic
/// propagates as it is; an error or an app failure is printed with the location in the test and
/// then fails the test by unwinding without the panic hook, so the report points at the user's
/// line rather than into loadcase, with no backtrace through loadcase's internals.
fn functional(test: &'static LoadTest) {
    // A malformed threshold fails `cargo test`, so it is caught before anyone runs a load.
    if let Err(e) = crate::report::threshold::parse_thresholds(test.thresholds) {
        let report = format!(
            "{e}\n  in thresholds(…) of #[load_test] at {}",
            test.location()
        );
        fail(report);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("loadcase: cannot start the tokio runtime");
    let server_url = crate::http::server_url::resolve(None, test.server_url);
    let mut cx = Context::new(0, Recorder::new(), server_url);
    // The hit usually needs what its setup did (a login): it runs only after a setup that
    // succeeded. A teardown is cleanup, so it runs even after a failed or panicking hit.
    if let Some(setup) = test.setup
        && let Err(problem) = runtime.block_on(setup(&mut cx))
    {
        fail(hook_report("setup", &problem, test));
    }
    let hit = runtime.block_on(Unwinding(Some((test.hit)(&mut cx))));
    let teardown = test.teardown.map(|f| runtime.block_on(f(&mut cx)));
    let hit = match hit {
        Ok(outcome) => outcome,
        Err(panic) => {
            if let Some(Err(problem)) = teardown {
                eprintln!("{}", hook_report("teardown", &problem, test));
            }
            std::panic::resume_unwind(panic);
        }
    };
    match (hit, teardown) {
        (Err(problem), teardown) => {
            if let Some(Err(also)) = teardown {
                eprintln!("{}", hook_report("teardown", &also, test));
            }
            let location = problem.location.unwrap_or_else(|| test.location());
            fail(format!(
                "{} at {location}: {}",
                problem.kind, problem.message
            ));
        }
        (Ok(()), Some(Err(problem))) => fail(hook_report("teardown", &problem, test)),
        (Ok(()), _) => {}
    }
}

/// "setup failed: error at tests/x.rs:12:5: message", naming the test when the problem has no
/// location of its own (an error type other than loadcase's).
fn hook_report(hook: &str, problem: &Problem, test: &LoadTest) -> String {
    let at = match &problem.location {
        Some(location) => format!("at {location}"),
        None => format!("in the {hook} of #[load_test] at {}", test.location()),
    };
    format!("{hook} failed: {} {at}: {}", problem.kind, problem.message)
}

/// Fails the test with `report`: printed, and the payload too, for
/// `#[should_panic(expected = "…")]`.
fn fail(report: String) -> ! {
    eprintln!("{report}");
    std::panic::resume_unwind(Box::new(report));
}

/// A hit's future whose panic is held, so that its teardown still runs before the panic goes on.
struct Unwinding<'a>(Option<HitFuture<'a>>);

impl Future for Unwinding<'_> {
    type Output = std::thread::Result<Outcome>;

    fn poll(mut self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let Some(future) = self.0.as_mut() else {
            return Poll::Pending;
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(task))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(outcome)) => Poll::Ready(Ok(outcome)),
            Err(panic) => {
                // A panicked future is not polled again.
                self.0 = None;
                Poll::Ready(Err(panic))
            }
        }
    }
}

/// The tests of the run: this one, or the mix the plan names (libtest names and weights), found
/// among the load tests this binary registered.
fn tests_of(test: &'static LoadTest, plan: &Plan) -> Vec<(&'static LoadTest, u32)> {
    if plan.mix.is_empty() {
        return vec![(test, 1)];
    }
    plan.mix
        .iter()
        .map(|(name, weight)| {
            let found = if *name == test.test_name() {
                Some(test)
            } else {
                registry::find(name)
            };
            let found = found.unwrap_or_else(|| {
                let known: Vec<String> = registry::registered().iter().map(|t| t.test_name()).collect();
                panic!(
                    "loadcase: the mix names `{name}`, which is not a load test of this binary (it has: {}); cargo loadrun and this test's loadcase may differ in version",
                    known.join(", ")
                )
            });
            (found, *weight)
        })
        .collect()
}

fn load(test: &'static LoadTest, plan: &str) {
    let plan: Plan = serde_json::from_str(plan).unwrap_or_else(|e| {
        panic!("loadcase: cannot read the plan from cargo loadrun ({e}); the runner and this test's loadcase differ in version")
    });
    let address = std::env::var(env::CONNECT).unwrap_or_default();
    let stream = TcpStream::connect(&address)
        .unwrap_or_else(|e| panic!("loadcase: cannot reach cargo loadrun at `{address}`: {e}"));
    let _ = stream.set_nodelay(true);
    let reader = stream
        .try_clone()
        .expect("loadcase: cannot clone the side-channel socket");
    let mut writer = BufWriter::new(stream);
    let hello = ToRunner::Hello {
        protocol: PROTOCOL_VERSION,
        token: std::env::var(env::TOKEN).unwrap_or_default(),
        test: test.path(),
    };
    protocol::send(&mut writer, &hello)
        .unwrap_or_else(|e| panic!("loadcase: side channel to cargo loadrun failed: {e}"));

    let control = Control::default();
    let listener = control.clone();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(reader);
        // Stop on request, and also when the runner is gone: a load must not outlive its runner.
        loop {
            match protocol::receive::<ToChild>(&mut reader) {
                Ok(Some(ToChild::Stop)) => listener.stop(),
                Ok(None) | Err(_) => {
                    listener.stop();
                    break;
                }
            }
        }
    });

    let mut ticks = 0u32;
    let mut broken = false;
    // Snapshots carry the series from the last second they sent on (it may have grown since):
    // resending it whole every second would cost as much as the run is long.
    let mut series_from = 0u32;
    let tests: Vec<(crate::Test, u32)> = tests_of(test, &plan)
        .into_iter()
        .map(|(test, weight)| (test.to_test(), weight))
        .collect();
    let mix: Vec<(&crate::Test, u32)> =
        tests.iter().map(|(test, weight)| (test, *weight)).collect();
    let report = crate::engine::run_mix(&mix, &plan, &control, &mut |progress, report| {
        if broken {
            return;
        }
        ticks += 1;
        let mut sent = protocol::send(&mut writer, &ToRunner::Progress(progress.clone()));
        if sent.is_ok() && ticks.is_multiple_of(SNAPSHOT_EVERY) {
            sent = protocol::send_report(&mut writer, &report.since(series_from), false);
            series_from = report.series.last().map_or(0, |p| p.t);
        }
        if sent.is_err() {
            broken = true;
            control.stop();
        }
    });
    let _ = protocol::send_report(&mut writer, &report, true);
}
