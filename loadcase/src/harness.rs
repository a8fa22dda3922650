//! What the `#[test]` that `#[load_test]` generates does: one functional hit under `cargo test`,
//! or the whole plan when `cargo loadrun` started this binary.

use std::io::{BufReader, BufWriter};
use std::net::TcpStream;

use crate::context::Context;
use crate::engine::{self, Control};
use crate::metrics::Recorder;
use crate::plan::Plan;
use crate::protocol::{self, PROTOCOL_VERSION, ToChild, ToRunner, env};
use crate::registry::LoadTest;

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

/// `cargo test`: one user, one hit; a panic propagates as it is; an error or an app failure is
/// printed with the location in the test and then fails the test by unwinding without the panic
/// hook, so the report points at the user's line rather than into loadcase, with no backtrace
/// through loadcase's internals.
fn functional(test: &'static LoadTest) {
    // A malformed threshold fails `cargo test`, so it is caught before anyone runs a load.
    if let Err(e) = crate::threshold::parse_all(test.thresholds) {
        let report = format!(
            "{e}\n  in thresholds(…) of #[load_test] at {}",
            test.location()
        );
        eprintln!("{report}");
        std::panic::resume_unwind(Box::new(report));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("loadcase: cannot start the tokio runtime");
    let server_url = engine::resolve_server_url(None, test);
    let outcome = runtime.block_on(async {
        let mut cx = Context::new(0, Recorder::new(), server_url);
        (test.hit)(&mut cx).await
    });
    if let Err(problem) = outcome {
        let location = problem.location.unwrap_or_else(|| test.location());
        let report = format!("{} at {location}: {}", problem.kind, problem.message);
        eprintln!("{report}");
        // The message is also the payload, for #[should_panic(expected = "…")].
        std::panic::resume_unwind(Box::new(report));
    }
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
    let report = engine::run(test, &plan, &control, &mut |progress, report| {
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
