//! `cargo loadrun`: the plan the runner hands over, run in this binary, with progress and
//! snapshots sent back over the side channel and a stop heard from it.

use std::io::{BufReader, BufWriter};
use std::net::TcpStream;

use super::registry::{self, LoadTest};
use crate::control::Control;
use crate::plan::model::Plan;
use crate::protocol::{self, PROTOCOL_VERSION, ToChild, ToRunner, env};

/// Snapshots are sent every this many progress ticks (once a second), and at each of the first
/// ones: a binary that crashes in its first second still leaves a report of what it did.
const SNAPSHOT_EVERY: u32 = 4;

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

pub(super) fn run(test: &'static LoadTest, plan: &str) {
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
        if sent.is_ok() && (ticks <= SNAPSHOT_EVERY || ticks.is_multiple_of(SNAPSHOT_EVERY)) {
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
