//! Mixes, setup and teardown in the engine, closed and open model, against the counting demo
//! server: each test's share is exact, and each test's figures are its own.

use loadcase::{Context, Control, Plan, Test, TestResult};
use loadcase_examples::DemoServer;

async fn browse(cx: &mut Context) -> TestResult {
    cx.app.get("/").await?;
    Ok(())
}

async fn checkout(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

/// Logs in, except for odd users, whose setup fails.
async fn login(cx: &mut Context) -> TestResult {
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

async fn logout(cx: &mut Context) -> TestResult {
    cx.app.get("/status/204").await?;
    Ok(())
}

fn browse_test() -> Test {
    Test::new("mix::browse", browse)
}

fn checkout_test() -> Test {
    Test::new("mix::checkout", checkout)
}

fn with_login() -> Test {
    Test::new("mix::with_login", checkout)
        .setup(login)
        .teardown(logout)
}

fn plan(options: &str, server: &DemoServer) -> Plan {
    let mut plan: Plan = options.parse().unwrap();
    plan.server_url = Some(server.url(""));
    plan
}

#[test]
fn a_closed_mix_gives_each_test_its_exact_share_and_its_own_figures() {
    let server = DemoServer::start_local();
    let args = "-u 100 -c 2";
    let report = loadcase::run_mix(
        &[(&browse_test(), 3), (&checkout_test(), 1)],
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
    let args = "--rate 100/s -d 2s";
    let report = loadcase::run_mix(
        &[(&browse_test(), 1), (&checkout_test(), 3)],
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
    let args = "-u 6 -c 3";
    let report = loadcase::run(
        &with_login(),
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
    let args = "--rate 100/s -d 60s";
    let report = loadcase::run(
        &checkout_test(),
        &plan(args, &server),
        &control,
        &mut |_, _| {},
    );
    thread.join().unwrap();
    assert!(report.interrupted);
    assert_eq!(report.stop_reason.as_deref(), Some("enough"));
    assert!(report.elapsed_secs < 30.0, "{}", report.elapsed_secs);
    let hits = &report.stats.hits;
    assert!(hits.success > 0);
    assert_eq!(hits.success + hits.cancelled, server.counts().requests);
}

#[test]
fn each_test_of_a_mix_uses_its_own_server_url_unless_the_plan_names_one() {
    let (shop, search) = (DemoServer::start_local(), DemoServer::start_local());
    let mix = [
        (&browse_test().server_url(shop.url("")), 1),
        (&checkout_test().server_url(search.url("")), 1),
    ];
    let plan: Plan = "-u 4 -c 3".parse().unwrap();
    let report = loadcase::run_mix(&mix, &plan, &Control::default(), &mut |_, _| {});
    assert_eq!(report.stats.hits.success, 12, "{:?}", report.stats.problems);
    assert_eq!(shop.counts().by_route["GET /"], 6);
    assert!(!shop.counts().by_route.contains_key("GET /es"));
    assert_eq!(search.counts().by_route["GET /es"], 6);
    assert!(!search.counts().by_route.contains_key("GET /"));
    // The plan's server URL is for every test.
    let both = DemoServer::start_local();
    let mut plan = plan;
    plan.server_url = Some(both.url(""));
    let report = loadcase::run_mix(&mix, &plan, &Control::default(), &mut |_, _| {});
    assert_eq!(report.stats.hits.success, 12);
    assert_eq!(both.counts().requests, 12);
}
