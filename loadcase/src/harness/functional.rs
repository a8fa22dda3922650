//! `cargo test`: a load test as the functional test it is — one user, one hit, between its
//! setup and its teardown.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use super::registry::LoadTest;
use crate::context::Context;
use crate::outcome::{Outcome, Problem};
use crate::record::recorder::Recorder;
use crate::test::HitFuture;

/// `cargo test`: one user, one hit, with its setup before and its teardown after; a panic
/// propagates as it is; an error or an app failure is printed with the location in the test and
/// then fails the test by unwinding without the panic hook, so the report points at the user's
/// line rather than into loadcase, with no backtrace through loadcase's internals.
pub(super) fn run(test: &'static LoadTest) {
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
