//! Mixes, setup and teardown in the engine, closed and open model, against the counting demo
//! server: each test's share is exact, and each test's figures are its own.

use loadcase::engine::{self, Control};
use loadcase::plan::PlanArgs;
use loadcase::registry::{HitFuture, LoadTest};
use loadcase::{Context, IntoOutcome, Plan, TestResult};
use loadcase_examples::DemoServer;

fn browse(cx: &mut Context) -> HitFuture<'_> {
    Box::pin(async move {
        let result: TestResult = async {
            cx.app.get("/").await?;
            Ok(())
        }
        .await;
        result.into_outcome()
    })
}

fn checkout(cx: &mut Context) -> HitFuture<'_> {
    Box::pin(async move {
        let result: TestResult = async {
            cx.app.get("/es").await?;
            Ok(())
        }
        .await;
        result.into_outcome()
    })
}

/// Logs in, except for odd users, whose setup fails.
fn login(cx: &mut Context) -> HitFuture<'_> {
    Box::pin(async move {
        let result: TestResult = async {
            if cx.user() % 2 == 1 {
                loadcase::fail!("user {} may not log in", cx.user());
            }
            let user = format!("user{}", cx.user());
            cx.app
                .post("/login")
                .form(&[("user", user.as_str())])
                .await?;
            Ok(())
        }
        .await;
        result.into_outcome()
    })
}

fn logout(cx: &mut Context) -> HitFuture<'_> {
    Box::pin(async move {
        let result: TestResult = async {
            cx.app.get("/status/204").await?;
            Ok(())
        }
        .await;
        result.into_outcome()
    })
}

const fn test(name: &'static str, hit: loadcase::registry::HitFn) -> LoadTest {
    LoadTest {
        module_path: "mix",
        name,
        file: file!(),
        line: line!(),
        server_url: None,
        thresholds: &[],
        hit,
        setup: None,
        teardown: None,
    }
}

static BROWSE: LoadTest = test("browse", browse);
static CHECKOUT: LoadTest = test("checkout", checkout);
static WITH_LOGIN: LoadTest = LoadTest {
    setup: Some(login),
    teardown: Some(logout),
    ..test("with_login", checkout)
};

fn plan(args: PlanArgs<'_>, server: &DemoServer) -> Plan {
    let mut plan = Plan::parse_args(&args).unwrap();
    plan.server_url = Some(server.url(""));
    plan
}

#[test]
fn a_closed_mix_gives_each_test_its_exact_share_and_its_own_figures() {
    let server = DemoServer::start_local();
    let args = PlanArgs {
        users: Some("100"),
        hits: Some("2"),
        ..PlanArgs::default()
    };
    let report = engine::run_mix(
        &[(&BROWSE, 3), (&CHECKOUT, 1)],
        &plan(args, &server),
        &Control::default(),
        &mut |_, _| {},
    );
    let routes = server.counts().by_route;
    assert_eq!(routes["GET /"], 150);
    assert_eq!(routes["GET /es"], 50);
    assert_eq!(report.test, "mix::browse + mix::checkout");
    assert_eq!(report.by_test["mix::browse"].hits.success, 150);
    assert_eq!(report.by_test["mix::checkout"].hits.success, 50);
    assert_eq!(
        report.by_test["mix::checkout"].requests["GET /es"].count,
        50
    );
    assert!(
        !report.by_test["mix::checkout"]
            .requests
            .contains_key("GET /")
    );
    assert_eq!(report.stats.hits.success, 200);
}

#[test]
fn an_open_mix_splits_the_rate_by_weight() {
    let server = DemoServer::start_local();
    let args = PlanArgs {
        rate: Some("100/s"),
        duration: Some("2s"),
        ..PlanArgs::default()
    };
    let report = engine::run_mix(
        &[(&BROWSE, 1), (&CHECKOUT, 3)],
        &plan(args, &server),
        &Control::default(),
        &mut |_, _| {},
    );
    let routes = server.counts().by_route;
    assert_eq!(routes["GET /"], 50, "a quarter of 200 hits");
    assert_eq!(routes["GET /es"], 150);
    assert_eq!(report.stats.hits.dropped, 0);
    assert_eq!(report.by_test["mix::checkout"].hits.corrected.len(), 150);
}

#[test]
fn setup_runs_once_per_user_and_a_failed_one_leaves_its_hits_unrun() {
    let server = DemoServer::start_local();
    let args = PlanArgs {
        users: Some("6"),
        hits: Some("3"),
        ..PlanArgs::default()
    };
    let report = engine::run(
        &WITH_LOGIN,
        &plan(args, &server),
        &Control::default(),
        &mut |_, _| {},
    );
    let stats = &report.stats;
    assert_eq!(server.counts().logins, 3, "users 0, 2 and 4 logged in");
    assert_eq!((stats.setup.success, stats.setup.failures), (3, 3));
    assert_eq!(stats.setup.time.len(), 6, "setups are timed apart");
    assert_eq!(stats.hits.success, 9, "three users ran three hits each");
    assert_eq!(stats.hits.not_run, 9, "the other three ran none");
    assert_eq!(stats.teardown.success, 3, "after the last hit of each user");
    assert_eq!(server.counts().by_route["GET /status/204"], 3);
    for problem in &stats.problems {
        assert!(
            problem.message.starts_with("setup: user ")
                && problem.message.ends_with(" may not log in"),
            "the reason names the setup: {problem:?}"
        );
    }
    assert_eq!(
        stats.problems.iter().map(|p| p.count).sum::<u64>(),
        3,
        "each failed setup once"
    );
}

#[test]
fn a_stop_ends_the_open_model_early_with_every_started_hit_counted() {
    let server = DemoServer::start_local();
    let control = Control::default();
    let stopper = control.clone();
    let thread = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        stopper.stop_because("enough");
    });
    let args = PlanArgs {
        rate: Some("100/s"),
        duration: Some("60s"),
        ..PlanArgs::default()
    };
    let report = engine::run(&CHECKOUT, &plan(args, &server), &control, &mut |_, _| {});
    thread.join().unwrap();
    assert!(report.interrupted);
    assert_eq!(report.stop_reason.as_deref(), Some("enough"));
    assert!(report.elapsed_secs < 30.0, "{}", report.elapsed_secs);
    let hits = &report.stats.hits;
    assert!(hits.success > 0);
    assert_eq!(hits.success + hits.cancelled, server.counts().requests);
}
