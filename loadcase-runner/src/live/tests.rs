//! The pusher on its own: a push to a closed port is counted as failed within its tries. What
//! a real Prometheus reads back from real runs is in the e2e tests (tests/e2e/live.rs).

use std::net::TcpListener;
use std::time::{Duration, Instant};

use loadcase::Report;

use super::metrics::Identity;
use super::push::Pusher;

#[test]
fn a_push_to_nowhere_is_counted_as_failed_and_takes_no_longer_than_its_tries() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let pusher = Pusher::start(
        format!("http://{closed}/api/v1/write"),
        Duration::from_secs(60),
        Identity {
            run_id: "r".into(),
            test: "t".into(),
            segment: "1/1".into(),
        },
    );
    let started = Instant::now();
    let pushed = pusher.finish(&Report::default());
    assert_eq!((pushed.ok, pushed.failed), (0, 1), "{pushed:?}");
    assert!(pushed.last_error.unwrap().contains("error sending request"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
