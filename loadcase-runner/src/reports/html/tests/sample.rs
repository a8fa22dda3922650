//! Realistic reports built directly, as the engine would have recorded them: a ramp of three
//! stages, four request names with skewed latencies that grow with load, a slowdown in the
//! middle of the run with errors, problems, counters and WebSockets.

use std::time::Duration;

use loadcase::Plan;
use loadcase::plan::{Length, Shape};
use loadcase::report::Histogram;
use loadcase::report::Second;
use loadcase::report::Verdict;
use loadcase::report::{REPORT_SCHEMA, Stats};
use loadcase::{ProblemKind, Report};

/// The request names and their median time at no load, in ms.
pub const NAMES: [(&str, f64); 4] = [
    ("GET /", 6.0),
    ("GET /product/{id}", 14.0),
    ("POST /cart", 22.0),
    ("POST /checkout", 55.0),
];

/// A deterministic generator (xorshift), so every run draws the same report.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// About normal: the sum of three uniforms, centred.
    fn normal(&mut self) -> f64 {
        (self.next() + self.next() + self.next() - 1.5) * 2.0
    }
}

/// A run of `secs` seconds (three equal stages of 10, 25 and 50 users).
pub fn report(secs: u32) -> Report {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut stats = Stats::default();
    let mut series = Vec::with_capacity(secs as usize);
    let mut codes = std::collections::BTreeMap::new();
    let stage = secs.div_ceil(3).max(1);
    let slow = (secs * 2 / 5)..(secs * 9 / 20).max(secs * 2 / 5 + 1);
    for t in 0..secs {
        let users = [10u64, 25, 50][(t / stage).min(2) as usize];
        let slowdown = if slow.contains(&t) { 3.0 } else { 1.0 };
        let mut second = Second {
            t,
            active_users: users,
            ..Second::default()
        };
        let mut latency = Histogram::default();
        for (i, (name, base)) in NAMES.iter().enumerate() {
            // The front page is asked for most, checkout least.
            let n = users * (4 - i as u64) / 2 + u64::from(rng.next() < 0.5);
            let r = stats.request_entry(name);
            for _ in 0..n {
                let tail = if rng.next() < 0.01 { 6.0 } else { 1.0 };
                let ms = base
                    * (1.0 + users as f64 / 40.0)
                    * slowdown
                    * tail
                    * (0.45 * rng.normal()).exp();
                let time = Duration::from_secs_f64(ms / 1e3);
                let failed = rng.next() < if slowdown > 1.0 { 0.04 } else { 0.002 } * (i as f64);
                r.count += 1;
                r.time.record(time);
                r.ttfb.record(time.mul_f64(0.7));
                r.ttlb.record(time);
                r.bytes_sent += if name.starts_with("POST") { 320 } else { 0 };
                r.bytes_received += 2048 + (i as u64) * 900;
                latency.record(time);
                second.requests += 1;
                if failed {
                    r.errors += 1;
                    second.request_errors += 1;
                    second.hit_problems += 1;
                    *codes.entry(503u16).or_default() += 1;
                } else {
                    let code = if name.starts_with("POST /cart") {
                        201
                    } else {
                        200
                    };
                    *codes.entry(code).or_default() += 1;
                }
            }
        }
        second.hits = second.requests / 4;
        stats.hits.success += second.hits - second.hit_problems.min(second.hits);
        stats.hits.failures += second.hit_problems.min(second.hits);
        for _ in 0..second.hits {
            let ms = 120.0 * (0.3 * rng.normal()).exp() * slowdown;
            stats.hits.time.record(Duration::from_secs_f64(ms / 1e3));
        }
        second.latency = (&latency).into();
        series.push(second);
    }
    stats.status_codes = codes;
    let failures = stats.hits.failures;
    stats.add_problem(
        ProblemKind::Failure,
        "expected status 200, got 503 Service Unavailable\nbody: {\"error\": \"upstream timed out\"}",
        Some("tests/shop.rs:48:13"),
        failures * 3 / 4,
    );
    stats.add_problem(
        ProblemKind::Failure,
        "cart total mismatch: expected 3 items, found 2",
        Some("tests/shop.rs:61:9"),
        failures - failures * 3 / 4,
    );
    stats.add_problem(
        ProblemKind::Error,
        "error sending request for url (http://shop.test/checkout): connection reset by peer",
        Some("tests/shop.rs:57:30"),
        (failures / 10).max(1),
    );
    stats.hits.errors = (failures / 10).max(1);
    stats.hits.cancelled = 12;
    *stats.status_codes.entry(404).or_default() += 17;
    stats.counters.insert("orders placed".to_owned(), 4_812);
    stats.counters.insert("cart items".to_owned(), 13_377);
    let ws = &mut stats.websockets;
    ws.opened = 240;
    ws.messages_sent = 4_800;
    ws.messages_received = 9_600;
    ws.bytes_sent = 614_400;
    ws.bytes_received = 2_411_724;
    Report {
        schema: REPORT_SCHEMA,
        test: "shop::checkout_flow".to_owned(),
        started_unix_ms: 1_790_000_000_000,
        elapsed_secs: f64::from(secs) + 0.42,
        interrupted: false,
        cpu_secs: Some(41.5),
        peak_rss_bytes: Some(48_000_000),
        plan: Some(Plan::of(Shape::Fixed {
            users: vec![10, 25, 50],
            length: Length::Duration(Duration::from_secs(u64::from(stage))),
            ramp: None,
            pause: None,
            think: None,
        })),
        thresholds: verdicts().into_iter().map(|v| v.threshold).collect(),
        stats,
        series,
        ..Report::default()
    }
}

/// Verdicts as the runner would hand them over: two met, one broken.
pub fn verdicts() -> Vec<Verdict> {
    vec![
        Verdict {
            threshold: "p95<200ms".to_owned(),
            measured: "86.4 ms".to_owned(),
            passed: true,
        },
        Verdict {
            threshold: "error_rate<1%".to_owned(),
            measured: "0.41 %".to_owned(),
            passed: true,
        },
        Verdict {
            threshold: "POST /checkout: p99<250ms".to_owned(),
            measured: "391.0 ms".to_owned(),
            passed: false,
        },
    ]
}
