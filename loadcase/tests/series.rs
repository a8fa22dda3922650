//! The per-second series and the stages' times as the engine records them: each second holds
//! what completed in it, active users are never missed between two harvests, and a pause
//! between stages is nobody's time.

use std::time::Duration;

use loadcase::__private::runner::PlanArgs;
use loadcase::{Context, Control, Plan, Test, TestResult};

/// A hit that takes 70 ms and yields all along: 14 of them end before a user's first second is
/// over (at 0.98 s), the 15th well after it (1.05 s).
async fn nap(_cx: &mut Context) -> TestResult {
    tokio::time::sleep(Duration::from_millis(70)).await;
    Ok(())
}

fn run(args: PlanArgs) -> loadcase::Report {
    let plan = Plan::parse_args(&args).unwrap();
    loadcase::run(
        &Test::new("series::nap", nap),
        &plan,
        &Control::default(),
        &mut |_, _| {},
    )
}

#[test]
fn a_run_under_a_second_shows_the_users_it_had() {
    let report = run(PlanArgs {
        users: Some("3"),
        hits: Some("1"),
        ..PlanArgs::default()
    });
    assert!(report.elapsed_secs < 1.0, "{}", report.elapsed_secs);
    let points: Vec<(u32, u64, u64)> = report
        .series
        .iter()
        .map(|s| (s.t, s.hits, s.active_users))
        .collect();
    assert_eq!(points, [(0, 3, 3)], "three users at once for 70 ms");
}

#[test]
fn each_second_holds_what_completed_in_it_and_the_last_is_a_fraction() {
    let report = run(PlanArgs {
        users: Some("2"),
        duration: Some("1500ms"),
        ..PlanArgs::default()
    });
    assert!(
        (1.5..2.0).contains(&report.elapsed_secs),
        "{}",
        report.elapsed_secs
    );
    let hits: Vec<u64> = report.series.iter().map(|s| s.hits).collect();
    assert_eq!(hits.len(), 2, "seconds 0 and 1: {hits:?}");
    assert_eq!(hits.iter().sum::<u64>(), report.stats.hits.total());
    // Harvested on the run's quarter seconds and put in the second where each interval began,
    // the first second has the 2 × 14 hits of [0, 1) (one fewer each on a loaded machine), not
    // the three quarters of them a harvest at 1.0 s credited to second 1; the last holds the
    // half second after: 8 hits a user, or 9 when one ended just past 1.0 s (its last ending
    // after 1.5 s).
    assert!(hits[0] >= 26, "{hits:?}");
    assert!(hits[1] <= 2 * 9, "{hits:?}");
    let users: Vec<u64> = report.series.iter().map(|s| s.active_users).collect();
    assert_eq!(users, [2, 2], "both users ran into the last second");
}

#[test]
fn a_pause_between_stages_is_not_part_of_either() {
    let report = run(PlanArgs {
        users: Some("1:1"),
        hits: Some("1"),
        stage_pause: Some("600ms"),
        ..PlanArgs::default()
    });
    let [first, second] = report.stages.as_slice() else {
        panic!("two stages: {:?}", report.stages);
    };
    assert_eq!(
        (first.stats.hits.success, second.stats.hits.success),
        (1, 1)
    );
    assert!(first.elapsed_secs < 0.4, "one 70 ms hit: {first:?}");
    assert!(second.started_secs >= 0.6, "after the pause: {second:?}");
    assert!(second.elapsed_secs < 0.4, "{second:?}");
    assert!(report.elapsed_secs >= second.started_secs + second.elapsed_secs - 1e-3);
}
