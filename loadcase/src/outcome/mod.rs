//! What one hit came to: success, or a problem with its message and location.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt::Display;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context as TaskContext, Poll};

pub(crate) mod error;

use crate::outcome::error::{Error, ProblemKind};

/// A hit that did not succeed: what it was, what it said, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Failure or error.
    pub kind: ProblemKind,
    /// The message (panic message, error chain).
    pub message: String,
    /// `file:line:column` where it was raised, when known.
    pub location: Option<String>,
}

/// The result of one hit.
pub type Outcome = Result<(), Problem>;

/// Turns what a test function returns into an [`Outcome`]. Implemented for `()` and for
/// `Result<(), E>` with any displayable `E`.
#[diagnostic::on_unimplemented(
    message = "a #[load_test] function cannot return `{Self}`",
    label = "a #[load_test] must return `()` or `Result<(), E>` with `E: Display`",
    note = "return `TestResult` (`Result<(), loadcase::Error>`) and use `?` on errors, or return nothing"
)]
pub trait IntoOutcome {
    /// Classifies the value.
    fn into_outcome(self) -> Outcome;
}

impl IntoOutcome for () {
    fn into_outcome(self) -> Outcome {
        Ok(())
    }
}

impl<E: Display + 'static> IntoOutcome for Result<(), E> {
    fn into_outcome(self) -> Outcome {
        let error = match self {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        // Our own error knows its kind and location; any other type is an error with no location
        // (the engine then names the test function instead).
        if let Some(ours) = (&error as &dyn Any).downcast_ref::<Error>() {
            return Err(Problem {
                kind: ours.kind(),
                message: ours.message().to_owned(),
                location: Some(ours.location().to_string()),
            });
        }
        Err(Problem {
            kind: ProblemKind::Error,
            message: error.to_string(),
            location: None,
        })
    }
}

/// Already classified: a function that builds its own [`Problem`] keeps its kind, message and
/// location (a location that is not in Rust code, say).
#[diagnostic::do_not_recommend]
impl IntoOutcome for Outcome {
    fn into_outcome(self) -> Outcome {
        self
    }
}

thread_local! {
    // Set while a hit is being polled, so the panic hook knows to keep quiet and hand the panic
    // over instead of printing it (a thousand failing hits must not print a thousand backtraces).
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<(String, Option<String>)>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(Cell::get) {
                let message = payload_text(info.payload());
                let location = info.location().map(|l| l.to_string());
                LAST_PANIC.with(|p| *p.borrow_mut() = Some((message, location)));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}

/// Polls a hit, turning a panic inside it into a [`ProblemKind::Failure`] with the panic's message
/// and location, without printing it.
pub(crate) struct CatchHit<F: ?Sized> {
    inner: Pin<Box<F>>,
}

impl<F: ?Sized> CatchHit<F> {
    pub(crate) fn new(inner: Pin<Box<F>>) -> Self {
        install_hook();
        CatchHit { inner }
    }
}

impl<F: Future<Output = Outcome> + ?Sized> Future for CatchHit<F> {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Outcome> {
        let was = CAPTURING.with(|c| c.replace(true));
        let polled = catch_unwind(AssertUnwindSafe(|| self.inner.as_mut().poll(cx)));
        CAPTURING.with(|c| c.set(was));
        match polled {
            Ok(poll) => poll,
            Err(payload) => {
                let (message, location) = LAST_PANIC
                    .with(|p| p.borrow_mut().take())
                    .unwrap_or_else(|| (payload_text(payload.as_ref()), None));
                Poll::Ready(Err(Problem {
                    kind: ProblemKind::Failure,
                    message,
                    location,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_and_ok_are_success() {
        assert_eq!(().into_outcome(), Ok(()));
        assert_eq!(Ok::<(), String>(()).into_outcome(), Ok(()));
    }

    #[test]
    fn foreign_errors_are_errors_without_location() {
        let problem = Err::<(), _>("boom".to_string()).into_outcome().unwrap_err();
        assert_eq!(problem.kind, ProblemKind::Error);
        assert_eq!(problem.message, "boom");
        assert_eq!(problem.location, None);
    }

    #[test]
    fn our_errors_keep_kind_and_location() {
        let line = line!() + 1;
        let problem = Err::<(), _>(Error::failure("bad page"))
            .into_outcome()
            .unwrap_err();
        assert_eq!(problem.kind, ProblemKind::Failure);
        assert_eq!(problem.location, Some(format!("{}:{}:36", file!(), line)));
    }

    #[test]
    fn question_mark_records_its_own_line() {
        fn parse() -> Result<(), Error> {
            "x".parse::<u32>()?;
            Ok(())
        }
        let error = parse().unwrap_err();
        assert_eq!(error.kind(), ProblemKind::Error);
        assert_eq!(error.location().line(), line!() - 5);
        assert!(error.message().contains("invalid digit"));
    }

    #[test]
    fn panics_in_a_hit_become_failures_with_location() {
        let hit: Pin<Box<dyn Future<Output = Outcome> + Send>> = Box::pin(async {
            assert_eq!(1 + 1, 3, "arithmetic");
            Ok(())
        });
        let line = line!() - 3;
        let outcome = futures_util::FutureExt::now_or_never(CatchHit::new(hit)).unwrap();
        let problem = outcome.unwrap_err();
        assert_eq!(problem.kind, ProblemKind::Failure);
        assert!(
            problem.message.contains("arithmetic"),
            "{}",
            problem.message
        );
        assert_eq!(problem.location, Some(format!("{}:{}:13", file!(), line)));
    }
}
