//! `setup` and `teardown` with every accepted shape of function and path.

use loadcase::prelude::*;

async fn login(cx: &mut Context) -> TestResult {
    cx.incr("logins");
    Ok(())
}

async fn logout(cx: &mut Context) {
    cx.incr("logouts");
}

async fn with_string_error(_cx: &mut Context) -> Result<(), String> {
    Ok(())
}

mod auth {
    use loadcase::prelude::*;

    pub async fn login(cx: &mut Context) -> TestResult {
        cx.set_state(String::from("token"));
        Ok(())
    }
}

#[load_test(setup = login)]
async fn with_setup(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

#[load_test(teardown = logout)]
async fn with_teardown(cx: &mut Context) -> TestResult {
    cx.incr("hits");
    Ok(())
}

#[load_test(setup = auth::login, teardown = self::logout, server_url = "http://127.0.0.1:8080")]
async fn with_both_and_paths(cx: &mut Context) -> TestResult {
    cx.app.get("/").await?;
    Ok(())
}

#[load_test(thresholds("p95<200ms"), teardown = with_string_error, setup = crate::login,)]
async fn with_every_argument(cx: &mut Context) {
    cx.incr("hits");
}

mod nested {
    use loadcase::prelude::*;

    #[load_test(setup = super::login, teardown = super::logout)]
    async fn in_a_module(cx: &mut Context) -> TestResult {
        cx.incr("hits");
        Ok(())
    }
}

fn main() {}
