use loadcase::report::REPORT_SCHEMA;

use super::*;

/// 1000 requests named `name` timed 1..=1000 ms times `scale`, over `elapsed_secs`, with
/// `errors` of them errors.
fn report(scale: f64, elapsed_secs: f64, errors: u64) -> Report {
    let mut report = Report {
        schema: REPORT_SCHEMA,
        test: "example::test_es".into(),
        elapsed_secs,
        plan: Some(loadcase::Plan::parse(Some("100"), Some("10"), None).unwrap()),
        ..Report::default()
    };
    let stats = &mut report.stats;
    for name in ["GET /", "GET /only-here"] {
        let r = stats.requests.entry(name.into()).or_default();
        for i in 1..=500u64 {
            r.count += 1;
            r.time
                .record(Duration::from_secs_f64(i as f64 * 2e-3 * scale));
        }
    }
    stats.hits.success = 1000 - errors;
    stats.hits.errors = errors;
    stats.requests.get_mut("GET /").unwrap().errors = errors;
    report
}

fn row<'c>(comparison: &'c Comparison, figure: &str) -> &'c Row {
    comparison
        .rows
        .iter()
        .find(|r| r.figure == figure)
        .unwrap_or_else(|| panic!("no row {figure}: {comparison:#?}"))
}

#[test]
fn a_20_percent_slower_p95_is_a_regression_at_10_percent_and_5_percent_is_not() {
    let baseline = report(1.0, 10.0, 0);
    let slower = Comparison::new("run #1", &baseline, &report(1.2, 10.0, 0), 0.10);
    let p95 = row(&slower, "p95");
    assert!(p95.regression, "{p95:?}");
    assert!((p95.relative().unwrap() - 0.2).abs() < 0.01, "{p95:?}");
    assert!(row(&slower, "p95 GET /").regression);
    assert!(row(&slower, "mean").regression);

    let a_bit = Comparison::new("run #1", &baseline, &report(1.05, 10.0, 0), 0.10);
    assert_eq!(a_bit.regressions().count(), 0, "{a_bit:#?}");
    assert!(row(&a_bit, "p95").delta().unwrap() > 0.0);

    // Faster is never a regression, however much.
    let faster = Comparison::new("run #1", &baseline, &report(0.5, 10.0, 0), 0.10);
    assert_eq!(faster.regressions().count(), 0);

    // The tolerance is the caller's.
    let strict = Comparison::new("run #1", &baseline, &report(1.05, 10.0, 0), 0.01);
    assert!(row(&strict, "p95").regression);
}

#[test]
fn rates_regress_when_they_fall() {
    let baseline = report(1.0, 10.0, 0);
    // The same requests in 25 % more time: 20 % fewer per second.
    let slower = Comparison::new("run #1", &baseline, &report(1.0, 12.5, 0), 0.10);
    for figure in ["hits/s", "requests/s"] {
        let r = row(&slower, figure);
        assert_eq!(r.better, Better::Higher);
        assert!(r.regression, "{r:?}");
        assert!((r.relative().unwrap() + 0.2).abs() < 1e-9, "{r:?}");
    }
    let quicker = Comparison::new("run #1", &baseline, &report(1.0, 8.0, 0), 0.10);
    assert!(!row(&quicker, "requests/s").regression, "a rise is better");
    let close = Comparison::new("run #1", &baseline, &report(1.0, 10.5, 0), 0.10);
    assert!(!row(&close, "hits/s").regression, "within the tolerance");
}

#[test]
fn errors_where_there_were_none_regress() {
    let baseline = report(1.0, 10.0, 0);
    let comparison = Comparison::new("run #1", &baseline, &report(1.0, 10.0, 3), 0.10);
    let errors = row(&comparison, "hit errors");
    assert!(errors.regression);
    assert_eq!(errors.relative(), None, "no percentage of zero");
    assert!(row(&comparison, "request errors").regression);
    assert!(comparison.render().contains("new"));
    // And fewer errors is not.
    let better = Comparison::new("run #1", &report(1.0, 10.0, 3), &baseline, 0.10);
    assert_eq!(better.regressions().count(), 0);
}

#[test]
fn requests_are_compared_only_when_both_runs_have_them() {
    let baseline = report(1.0, 10.0, 0);
    let mut current = report(1.0, 10.0, 0);
    current.stats.requests.remove("GET /only-here");
    current
        .stats
        .requests
        .insert("GET /new".into(), Default::default());
    let comparison = Comparison::new("run #1", &baseline, &current, 0.10);
    let per_request: Vec<&str> = comparison
        .rows
        .iter()
        .map(|r| r.figure.as_str())
        .filter(|f| f.starts_with("p95 "))
        .collect();
    assert_eq!(per_request, ["p95 GET /"]);
    // A run without requests has no times to compare, and no regression in them.
    let empty = Report {
        elapsed_secs: 10.0,
        ..Report::default()
    };
    let comparison = Comparison::new("run #1", &baseline, &empty, 0.10);
    assert_eq!(row(&comparison, "p95").current, None);
    assert!(!row(&comparison, "p95").regression);
    assert!(
        row(&comparison, "requests/s").regression,
        "but the rate fell"
    );
}

#[test]
fn the_table_shows_both_runs_the_deltas_and_the_verdict() {
    let baseline = report(1.0, 10.0, 0);
    let mut current = report(1.2, 10.0, 0);
    current.plan = Some(loadcase::Plan::parse(Some("50"), Some("20"), None).unwrap());
    let text = Comparison::new("run #7 of 2026-11-25 21:03:41", &baseline, &current, 0.10).render();
    assert!(
        text.contains(
            "Compared with run #7 of 2026-11-25 21:03:41 (a regression is worse by more than 10%):"
        ),
        "{text}"
    );
    assert!(
        text.contains("plans differ (baseline -u 100 -c 10, this run -u 50 -c 20)"),
        "{text}"
    );
    let p95 = text
        .lines()
        .find(|l| l.starts_with("p95 "))
        .unwrap_or_else(|| panic!("{text}"));
    // 95 % of 2..1000 ms is 950 ms; 20 % slower is 1.14 s.
    assert!(
        p95.split_whitespace().eq([
            "p95",
            "950.0ms",
            "1.14s",
            "+190.8ms",
            "+20.1%",
            "REGRESSION"
        ]),
        "{p95}"
    );
    let rate = text.lines().find(|l| l.starts_with("hits/s")).unwrap();
    assert!(
        rate.split_whitespace()
            .eq(["hits/s", "100.0", "100.0", "+0.0", "+0.0%"]),
        "{rate}"
    );
    assert!(
        text.contains("Regressions beyond 10%: mean, p50, p90, p95, p99, max, p95 GET /,"),
        "{text}"
    );

    let same = Comparison::new("x.json", &baseline, &baseline, 0.025).render();
    assert!(same.ends_with("No regression beyond 2.5%.\n"), "{same}");
    assert!(!same.contains("plans differ"), "{same}");
}
