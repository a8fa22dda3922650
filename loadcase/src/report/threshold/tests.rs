use std::time::Duration;

use super::*;
use crate::report::model::Report;

fn report() -> Report {
    let mut report = Report {
        elapsed_secs: 2.0,
        ..Report::default()
    };
    let login = report.stats.request_entry("GET /login");
    login.count = 100;
    login.errors = 2;
    for ms in 1..=100u64 {
        login.time.record(Duration::from_millis(ms));
        login.ttfb.record(Duration::from_millis(ms / 2 + 1));
    }
    let users = report.stats.request_entry("GET /users/:id");
    users.count = 100;
    for _ in 0..100 {
        users.time.record(Duration::from_millis(5));
    }
    report.stats.hits.success = 90;
    report.stats.hits.failures = 10;
    report.stats.hits.time.record(Duration::from_millis(300));
    report
}

fn check(text: &str) -> Verdict {
    Threshold::parse(text)
        .unwrap_or_else(|e| panic!("{e}"))
        .check(&Figures::of(&report()))
}

#[test]
fn the_issue_examples_pass_and_fail_on_the_right_side() {
    // All requests: login's 1..=100 ms and 100 of 5 ms; the 190th of the 200 sorted values is
    // 90 ms (105 values are at most 5 ms, then 6, 7, …).
    assert!(check("p95<200ms").passed);
    assert!(!check("p95<50ms").passed);
    assert_eq!(check("p95<200ms").measured, "90.0 ms");
    assert!(
        check("error_rate<1.5%").passed,
        "2 errors in 200 requests is 1 %"
    );
    assert!(!check("error_rate<1%").passed);
    assert_eq!(check("error_rate<1%").measured, "1.00 %");
    assert!(check("rps>99").passed, "200 requests in 2 s");
    assert!(!check("rps>100").passed);
    assert!(check("rps>=100").passed);
    assert!(check("GET /login: p99<1s").passed);
    assert!(!check("GET /login: p99<99ms").passed);
    assert!(
        check("GET /users/:id: max<5.1ms").passed,
        "names may hold colons"
    );
}

#[test]
fn other_metrics() {
    assert!(check("GET /login: ttfb_p50<30ms").passed);
    assert!(!check("GET /login: ttfb_p50<20ms").passed);
    assert!(check("hit_p95<301ms").passed);
    assert!(!check("hit_error_rate<10%").passed);
    assert!(check("hit_error_rate<=0.1").passed);
    assert!(check("hits>=100").passed);
    assert!(check("failures<11").passed);
    assert!(check("GET /login: errors<3").passed);
    assert!(check("p(99.9)<101ms").passed);
    assert!(check("med<6ms").passed);
}

#[test]
fn missing_data_never_passes() {
    let v = check("GET /nope: p95<1s");
    assert!(!v.passed);
    assert!(v.measured.contains("GET /nope"), "{}", v.measured);
    let empty = Figures::of(&Report::default());
    for text in ["p95<1s", "error_rate<1%", "ttlb_p50<1s"] {
        let v = Threshold::parse(text).unwrap().check(&empty);
        assert!(!v.passed, "{text} passed on an empty run");
        assert!(v.measured.starts_with("no data"), "{}", v.measured);
    }
}

#[test]
fn malformed_thresholds_name_the_problem_and_the_fix() {
    let error = |text: &str| Threshold::parse(text).unwrap_err().to_string();
    assert!(error("p95<200").contains("has no unit; write e.g. `200ms`"));
    assert!(error("p95=200ms").contains("no comparison"));
    assert!(error("p96<1s").contains("unknown metric `p96`"));
    assert!(error("latency<1s").contains("unknown metric `latency`; metrics are"));
    assert!(error("error_rate<150%").contains("between 0% and 100%"));
    assert!(error("error_rate<lots").contains("percentage like `1%`"));
    // A percentage without its sign would be 100 % and always met: refused with the fix.
    for bare in ["error_rate<1", "hit_error_rate<5", "error_rate<=1.0"] {
        assert!(
            error(bare).contains("not a fraction from 0 to below 1"),
            "{bare}: {}",
            error(bare)
        );
        assert!(error(bare).contains('%'), "{bare}");
    }
    assert!(error("error_rate<-0.1").contains("not a fraction from 0"));
    assert!(error("rps>fast").contains("not a number"));
    assert!(error("p95<2 fortnights").contains("not a duration"));
    assert!(error(": p95<1s").contains("nothing before `:`"));
    assert!(error("GET /: hits>5").contains("about hits"));
    assert!(error("p95<200").starts_with("threshold `p95<200`: "));
}

#[test]
fn all_or_the_first_error() {
    assert_eq!(parse_thresholds(&["p95<1s", "rps>1"]).unwrap().len(), 2);
    assert!(
        parse_thresholds(&["p95<1s", "bogus<1"])
            .unwrap_err()
            .to_string()
            .contains("bogus")
    );
}
