//! Load tests of mixes and of per-user setup and teardown, which the end-to-end tests
//! (`e2e/mixes.rs`) run through the real `cargo loadrun` and `cargo test` against a counting
//! server on loopback (given with `--server-url` or `LOADCASE_SERVER_URL`); under a plain
//! `cargo test` they are ignored.

use loadcase::prelude::*;

/// One `GET /` per hit.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn browse(cx: &mut Context) -> TestResult {
    cx.app.get("/").await?;
    Ok(())
}

/// One `GET /es` per hit.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn checkout(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

/// One `GET /es` per hit, with a threshold on its own hits that the whole of a mix breaks.
#[load_test(thresholds("hits<=10"))]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn at_most_ten(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

/// Logs this user in as `user{N}`.
async fn login(cx: &mut Context) -> TestResult {
    let user = format!("user{}", cx.user());
    cx.app
        .post("/login")
        .form(&[("user", user.as_str())])
        .await?;
    Ok(())
}

async fn logout(cx: &mut Context) -> TestResult {
    cx.app.post("/logout").await?;
    Ok(())
}

/// Every hit checks that the session its setup opened is this very user's.
async fn whoami(cx: &mut Context) -> TestResult {
    let me = cx.app.get("/whoami").await?;
    assert_eq!(
        me.text(),
        format!("user{}", cx.user()),
        "a hit saw another user's cookie"
    );
    Ok(())
}

#[load_test(setup = login, teardown = logout)]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn logged_in(cx: &mut Context) -> TestResult {
    whoami(cx).await
}

async fn login_even_users(cx: &mut Context) -> TestResult {
    if cx.user() % 2 == 1 {
        loadcase::fail!("odd users may not log in");
    }
    login(cx).await
}

/// Users with an odd index fail their setup: their hits do not run, nor their teardown.
#[load_test(setup = login_even_users, teardown = logout)]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn even_users_only(cx: &mut Context) -> TestResult {
    whoami(cx).await
}

async fn refuse(_cx: &mut Context) -> TestResult {
    loadcase::fail!("the login page is closed");
}

/// Under `cargo test`: fails in its setup, and its hit never runs.
#[load_test(setup = refuse)]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn setup_refused(cx: &mut Context) -> TestResult {
    cx.app.get("/es").await?;
    Ok(())
}

async fn broken_logout(cx: &mut Context) -> TestResult {
    cx.app.get("/status/500").await?;
    Ok(())
}

/// Its hits succeed; its teardown answers 500.
#[load_test(setup = login, teardown = broken_logout)]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn teardown_fails(cx: &mut Context) -> TestResult {
    whoami(cx).await
}

/// Under `cargo test`: the hit panics, and the user still logs out.
#[load_test(setup = login, teardown = logout)]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn hit_panics(cx: &mut Context) -> TestResult {
    whoami(cx).await?;
    panic!("deliberate panic in the hit of user {}", cx.user());
}
