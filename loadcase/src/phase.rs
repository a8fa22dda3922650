//! What `#[load_test(setup = login, teardown = logout)]` expands to: the user's function, checked
//! for its shape and turned into a [`HitFn`](crate::registry::HitFn)'s boxed future.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use crate::context::Context;
use crate::outcome::{IntoOutcome, Outcome};
use crate::registry::HitFuture;

/// An `async fn(cx: &mut Context)` returning `()` or `Result<(), E: Display>`, as `setup` and
/// `teardown` take. Implemented for every such function; the message below is what a function
/// of another shape gets, at the path in the attribute.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an `async fn(cx: &mut Context)` returning `()` or `Result<(), E>`",
    label = "`setup` and `teardown` take the path of an `async fn(cx: &mut Context) -> TestResult`",
    note = "write e.g. `async fn login(cx: &mut Context) -> TestResult {{ … }}` and `#[load_test(setup = login)]`"
)]
pub trait PhaseFn<'a> {
    /// The function's future.
    type Future: Future<Output = Self::Output> + 'a;
    /// What the function returns.
    type Output: IntoOutcome;
    /// Calls it.
    fn call(self, cx: &'a mut Context) -> Self::Future;
}

impl<'a, F, Fut> PhaseFn<'a> for F
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

/// Runs `f` on the user's context, as the engine runs a hit. Its future must be `Send`, as a
/// hit's is: users move between the engine's threads.
pub fn phase<'a, F>(f: F, cx: &'a mut Context) -> HitFuture<'a>
where
    F: PhaseFn<'a>,
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

/// Checks the shape of `f` where no hit is compiled (builds without `--test`), in a `const`.
pub const fn check_phase<F: for<'a> PhaseFn<'a>>(_: &F) {}
