//! A plan split into segments (`--segment K/N`), each run as its own process would run it: the
//! union of the segments is exactly the single-machine plan, shape by shape, against the
//! counting demo server.

use std::collections::BTreeSet;

use loadcase::plan::Segment;
use loadcase::{Context, Control, Dataset, Plan, Report, Test, TestResult, dataset};
use loadcase_examples::DemoServer;
use serde::Deserialize;

async fn get_es(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

/// Every user that starts says so, whether or not it gets to a hit before it is retired.
async fn count_user(cx: &mut Context) -> TestResult {
    cx.incr(&format!("user {}", cx.user()));
    Ok(())
}

fn get_es_test() -> Test {
    Test::new("segments::get_es", get_es).setup(count_user)
}

async fn browse(cx: &mut Context) -> TestResult {
    cx.app.get("/").await?;
    Ok(())
}

#[derive(Deserialize)]
struct Row {
    id: u32,
}

// One dataset per segment: each process of a split run has its own, from the first row on.
static ROWS: [Dataset<Row>; 3] = [
    dataset!("tests/data/rows.csv").unique(),
    dataset!("tests/data/rows.csv").unique(),
    dataset!("tests/data/rows.csv").unique(),
];

async fn each_row_once(cx: &mut Context, rows: &Dataset<Row>) -> TestResult {
    let row = rows.next(cx)?;
    cx.app.get(&format!("/row/{}", row.id)).await?;
    Ok(())
}

fn plan(options: &str, server: &DemoServer) -> Plan {
    let mut plan: Plan = options.parse().unwrap();
    plan.server_url = Some(server.url(""));
    plan.seed = Some(42);
    plan
}

/// The `n` segments of `plan`, one after another, as `n` processes would run them.
fn segments(mix: &[(&Test, u32)], plan: &Plan, n: u32) -> Vec<Report> {
    (1..=n)
        .map(|k| {
            let segment = plan
                .clone()
                .with_segment(Segment::new(k, n).unwrap())
                .unwrap();
            loadcase::run_mix(mix, &segment, &Control::default(), &mut |_, _| {})
        })
        .collect()
}

/// The users a report saw start.
fn users(report: &Report) -> BTreeSet<String> {
    report.stats.counters.keys().cloned().collect()
}

#[test]
fn stages_of_users_split_into_exact_shares() {
    let server = DemoServer::start_local();
    let test = get_es_test();
    let whole = plan("-u 10:20:30 --hits 20", &server);
    let reports = segments(&[(&test, 1)], &whole, 3);
    // 10, 20 and 30 users over 3: 4+7+10, 3+7+10, 3+6+10 users, 20 hits each.
    let hits: Vec<u64> = reports.iter().map(|r| r.stats.hits.success).collect();
    assert_eq!(hits, [420, 400, 380]);
    assert_eq!(server.counts().requests, 1200, "1200 in all, not 3600");
    let mut all = BTreeSet::new();
    for report in &reports {
        let mine = users(report);
        assert!(all.is_disjoint(&mine), "no user runs in two segments");
        all.extend(mine);
    }
    assert_eq!(
        all.len(),
        60,
        "every user of the plan, by its index in the whole plan"
    );
    let planned: Vec<Option<u64>> = reports
        .iter()
        .map(|r| r.plan.as_ref().unwrap().total_hits())
        .collect();
    assert_eq!(planned, [Some(420), Some(400), Some(380)]);
}

#[test]
fn users_moving_toward_targets_are_the_whole_plans_users() {
    let server = DemoServer::start_local();
    let test = get_es_test();
    let whole = plan("--stages '9@600ms, 3@300ms, 7@300ms'", &server);
    let alone = users(&loadcase::run(
        &test,
        &whole,
        &Control::default(),
        &mut |_, _| {},
    ));
    let mut all = BTreeSet::new();
    for report in segments(&[(&test, 1)], &whole, 2) {
        let mine = users(&report);
        assert!(all.is_disjoint(&mine));
        all.extend(mine);
    }
    assert_eq!(
        all, alone,
        "the segments' users are the whole plan's, numbered alike"
    );
    assert_eq!(all.len(), 13, "9 up, 6 of them leave, 4 new ones");
    assert!(alone.contains("user 12") && !alone.contains("user 13"));
}

#[test]
fn the_open_model_fires_each_arrival_in_one_segment_only() {
    let server = DemoServer::start_local();
    let test = get_es_test();
    let whole = plan("--rate 100/s -d 2s --max-users 30", &server);
    let reports = segments(&[(&test, 1)], &whole, 3);
    let started: u64 = reports
        .iter()
        .map(|r| r.stats.hits.total() + r.stats.hits.cancelled + r.stats.hits.dropped)
        .sum();
    assert_eq!(started, 200, "every due arrival once");
    let shares: Vec<u64> = reports
        .iter()
        .map(|r| r.stats.hits.total() + r.stats.hits.cancelled + r.stats.hits.dropped)
        .collect();
    assert_eq!(shares, [67, 67, 66]);
    let dropped: u64 = reports.iter().map(|r| r.stats.hits.dropped).sum();
    assert_eq!(server.counts().requests + dropped, 200);
    let err = whole
        .clone()
        .with_segment(Segment::new(1, 40).unwrap())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("30 users cannot be shared out over 40 segments")
    );
}

#[test]
fn a_mix_keeps_its_weights_across_segments() {
    let server = DemoServer::start_local();
    let (a, b) = (
        Test::new("segments::browse", browse),
        Test::new("segments::get_es", get_es),
    );
    let whole = plan("-u 100 -c 2", &server);
    segments(&[(&a, 3), (&b, 1)], &whole, 3);
    let routes = server.counts().by_route;
    assert_eq!((routes["GET /"], routes["GET /es"]), (150, 50));
}

#[test]
fn a_unique_dataset_hands_each_row_to_one_segment() {
    let server = DemoServer::start_local();
    let whole = plan("-u 3 -c 10", &server);
    let reports: Vec<Report> = (1..=3u32)
        .map(|k| {
            let rows = &ROWS[k as usize - 1];
            let test = Test::new("segments::each_row_once", async move |cx: &mut Context| {
                each_row_once(cx, rows).await
            });
            let segment = whole
                .clone()
                .with_segment(Segment::new(k, 3).unwrap())
                .unwrap();
            loadcase::run(&test, &segment, &Control::default(), &mut |_, _| {})
        })
        .collect();
    for report in &reports {
        assert_eq!(report.stats.hits.success, 10, "{:?}", report.stats.problems);
    }
    let routes = server.counts().by_route;
    for id in 1..=30 {
        assert_eq!(routes.get(&format!("GET /row/{id}")), Some(&1), "row {id}");
    }
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[test]
fn segments_wait_for_the_start_and_one_too_late_runs_nothing() {
    let server = DemoServer::start_local();
    let test = get_es_test();
    let mut plan = plan("-u 2 -c 1", &server);
    plan.run_id = Some("run-7".into());
    let at = unix_ms() + 700;
    plan.start_at_unix_ms = Some(at);
    let report = loadcase::run(&test, &plan, &Control::default(), &mut |_, _| {});
    assert!(
        report.started_unix_ms >= at,
        "{} before {at}",
        report.started_unix_ms
    );
    let skew = report.start_skew_secs.unwrap();
    assert!((0.0..0.2).contains(&skew), "{skew}");
    assert_eq!(report.stats.hits.success, 2);
    assert_eq!(report.run_id.as_deref(), Some("run-7"));

    plan.start_at_unix_ms = Some(unix_ms() - 5_000);
    let late = loadcase::run(&test, &plan, &Control::default(), &mut |_, _| {});
    assert!(late.missed_start);
    assert_eq!(late.stats.hits.total(), 0);
    assert!(
        late.stop_reason
            .unwrap()
            .contains("later than its 2s grace")
    );
    assert_eq!(server.counts().requests, 2, "the late one sent nothing");
}

#[test]
fn every_segment_of_a_run_reports_the_same_digest_of_what_it_ran() {
    let server = DemoServer::start_local();
    let test = get_es_test();
    let whole = plan("-u 3 -c 2", &server);
    let digests: BTreeSet<String> = segments(&[(&test, 1)], &whole, 3)
        .into_iter()
        .map(|r| r.plan_digest.unwrap())
        .collect();
    assert_eq!(digests.len(), 1, "{digests:?}");
    let other = plan("-u 3 -c 3", &server).digest(&[("segments::get_es", 1)]);
    assert!(!digests.contains(&other), "another plan, another digest");
    let weights = whole.digest(&[("segments::get_es", 2)]);
    assert!(!digests.contains(&weights), "other weights, another digest");
}

#[test]
fn the_segments_merge_into_the_whole_run_and_a_missing_one_is_named() {
    use loadcase::report::{MergeError, merge_segments};
    let server = DemoServer::start_local();
    let test = get_es_test();
    let mut whole = plan("-u 10:20:30 --hits 20", &server);
    whole.run_id = Some("r1".into());
    let named = |reports: Vec<Report>| -> Vec<(String, Report)> {
        reports
            .into_iter()
            .enumerate()
            .map(|(i, r)| (format!("seg-{}.json", i + 1), r))
            .collect()
    };
    let reports = segments(&[(&test, 1)], &whole, 3);
    let merged = merge_segments(named(reports.clone()), None).unwrap();
    assert!(!merged.is_partial());
    assert_eq!(merged.report.stats.hits.success, 1200);
    assert_eq!(merged.report.stats.requests["GET /es"].count, 1200);
    assert_eq!(
        merged.report.stats.counters.len(),
        60,
        "every user's counter"
    );
    assert_eq!(
        merged.report.plan.as_ref().unwrap().total_hits(),
        Some(1200)
    );
    // The exact percentiles of the whole: the histograms added up.
    let mut all = loadcase::report::Histogram::default();
    for r in &reports {
        all.merge(&r.stats.requests["GET /es"].time);
    }
    assert_eq!(merged.report.stats.requests["GET /es"].time, all);

    let two = named(reports[..2].to_vec());
    let partial = merge_segments(two, None).unwrap();
    assert!(partial.is_partial());
    assert_eq!(partial.present, [1, 2]);
    assert_eq!(partial.missing[0].segment.to_string(), "3/3");
    assert_eq!(
        partial.missing[0].share,
        "users 3 of 10, 6 of 20, 10 of 30 per stage, 380 hits"
    );

    let mut other_run = reports[2].clone();
    other_run.run_id = Some("r2".into());
    let mut mixed = named(reports[..2].to_vec());
    mixed.push(("late.json".into(), other_run));
    let err = merge_segments(mixed, None).unwrap_err();
    assert!(matches!(err, MergeError::OtherRun { .. }), "{err}");
    assert!(
        err.to_string().contains("late.json is of run `r2`"),
        "{err}"
    );

    let mut twice = named(reports[..2].to_vec());
    twice.push(("again.json".into(), reports[0].clone()));
    let err = merge_segments(twice, None).unwrap_err().to_string();
    assert!(
        err.contains("segment 1/3 again (also in seg-1.json)"),
        "{err}"
    );
}

/// Each user says when it started, in milliseconds since the Unix epoch.
async fn stamp_user(cx: &mut Context) -> TestResult {
    cx.incr_by(&format!("user {}", cx.user()), unix_ms());
    Ok(())
}

/// When each user started, in milliseconds from its run's start.
fn started(report: &Report) -> std::collections::BTreeMap<String, i64> {
    report
        .stats
        .counters
        .iter()
        .map(|(user, at)| (user.clone(), *at as i64 - report.started_unix_ms as i64))
        .collect()
}

#[test]
fn a_ramp_starts_each_user_when_the_whole_plan_would_random_ones_too() {
    let server = DemoServer::start_local();
    let test = Test::new("segments::get_es", get_es).setup(stamp_user);
    // Random offsets drawn from the shared seed: a segment drawing only its own users' offsets,
    // or from a seed of its own, starts them hundreds of milliseconds off.
    for options in [
        "-u 6 -c 1 --ramp-up 1500ms",
        "-u 6 -c 1 --ramp-up 1500ms --ramp random",
    ] {
        let whole = plan(options, &server);
        let alone = started(&loadcase::run(
            &test,
            &whole,
            &Control::default(),
            &mut |_, _| {},
        ));
        assert_eq!(alone.len(), 6, "{options}");
        let mut split = std::collections::BTreeMap::new();
        for report in segments(&[(&test, 1)], &whole, 3) {
            split.extend(started(&report));
        }
        assert_eq!(
            split.keys().collect::<Vec<_>>(),
            alone.keys().collect::<Vec<_>>(),
            "{options}"
        );
        for (user, at) in &alone {
            assert!(
                (split[user] - at).abs() < 120,
                "{options}: {user} started at {}ms in its segment, {at}ms alone",
                split[user]
            );
        }
    }
}
