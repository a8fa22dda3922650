use std::time::Duration;

use clap::Parser;
use loadcase::plan::Shape;

use super::*;
use crate::cli::Cli;

fn cli(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("cargo-loadrun").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn profile(body: &str) -> Profile {
    let text = format!("[profile.ci]\n{body}");
    profile::parse(&text, "ci", Path::new("loadcase.toml")).unwrap()
}

fn settings(args: &[&str], body: &str) -> Result<Settings> {
    let cli = cli(args);
    resolve(&cli.plan, &cli.outputs, &cli.live, Some(&profile(body)))
}

fn message(args: &[&str], body: &str) -> String {
    format!("{:#}", settings(args, body).err().expect("an error"))
}

#[test]
fn a_profile_sets_an_open_model_and_flags_override_it_option_by_option() {
    let body = "rate = \"50/s\"\nduration = \"2s\"\nmax_users = 7\nmax_delay = \"250ms\"\nhit_timeout = \"3s\"\nrequest_timeout = \"4s\"\n";
    let plan = settings(&[], body).unwrap().plan;
    assert_eq!(
        plan.options(),
        "--rate 50/s -d 2s --max-users 7 --max-delay 250ms --hit-timeout 3s --request-timeout 4s"
    );
    let plan = settings(&["--rate", "80/s", "--max-users", "9"], body)
        .unwrap()
        .plan;
    assert!(
        plan.options()
            .starts_with("--rate 80/s -d 2s --max-users 9 --max-delay 250ms")
    );
}

#[test]
fn a_profile_sets_ramps_stages_and_pauses() {
    let body = "users = \"2:4\"\nduration = \"10s\"\nramp_up = \"2s\"\nramp = \"random\"\nstage_pause = \"1s\"\nthink = \"10ms\"\n";
    let plan = settings(&[], body).unwrap().plan;
    assert!(
        plan.options().ends_with(" --think 10ms"),
        "{}",
        plan.options()
    );
    let Shape::Fixed { ramp, pause, .. } = &plan.shape else {
        panic!("{plan:?}")
    };
    assert_eq!(
        ramp.as_ref().map(|r| (r.over, r.random)),
        Some((Duration::from_secs(2), true))
    );
    assert_eq!(*pause, Some(Duration::from_secs(1)));
    let plan = settings(&[], "stages = \"3@1s, 0@1s\"\n").unwrap().plan;
    assert!(matches!(plan.shape, Shape::Ramping { .. }), "{plan:?}");
    let plan = settings(&[], "rate_stages = \"10/s@1s, 20/s@1s\"\n")
        .unwrap()
        .plan;
    assert!(matches!(plan.shape, Shape::Rate(_)), "{plan:?}");
}

#[test]
fn a_length_on_the_command_line_replaces_the_profiles_of_either_kind() {
    let plan = settings(&["-d", "3s"], "users = 2\nhits = 5\n")
        .unwrap()
        .plan;
    assert_eq!(plan.options(), "-u 2 -d 3s");
    let plan = settings(&["-c", "4"], "users = 2\nduration = \"1m\"\n")
        .unwrap()
        .plan;
    assert_eq!(plan.options(), "-u 2 -c 4");
}

#[test]
fn a_value_from_the_profile_is_named_by_its_file_line_and_key() {
    assert_eq!(
        message(&[], "users = 2\nduration = \"10s\"\nramp_up = \"soon\"\n"),
        "loadcase.toml:4 [profile.ci] ramp_up: `soon` is not a duration; write e.g. 30s, 2m, 1h30m, 500ms or a number of seconds"
    );
    // Two options at odds, one from each side.
    let text = message(&["-u", "5"], "rate = \"10/s\"\nduration = \"1s\"\n");
    assert!(
        text.starts_with("--users and loadcase.toml:2 [profile.ci] rate exclude each other"),
        "{text}"
    );
    let text = message(&[], "users = 0\n");
    assert!(
        text.starts_with("loadcase.toml:2 [profile.ci] users: `0`"),
        "{text}"
    );
    let text = message(&[], "server_url = \"ftp://x\"\n");
    assert!(
        text.starts_with(
            "loadcase.toml:2 [profile.ci] server_url: `ftp://x` is not an http:// or https:// URL"
        ),
        "{text}"
    );
    let text = message(&[], "thresholds = [\"p95<200\"]\n");
    assert!(
        text.starts_with("loadcase.toml:2 [profile.ci] thresholds: threshold `p95<200`"),
        "{text}"
    );
    let text = message(&[], "reports = [\"out.txt\"]\n");
    assert!(
        text.starts_with("loadcase.toml:2 [profile.ci] reports ")
            && text.contains("unknown format"),
        "{text}"
    );
}

#[test]
fn a_value_from_a_flag_keeps_the_flags_message() {
    // As without a profile: the e2e tests hold these messages.
    let text = message(&["-u", "0"], "hits = 2\n");
    assert!(
        text.starts_with("--users: `0` is not a number of users"),
        "{text}"
    );
    let text = message(&["--ramp-up", "soon"], "users = 2\nduration = \"10s\"\n");
    assert!(
        text.starts_with("--ramp-up: `soon` is not a duration"),
        "{text}"
    );
    let text = message(&["--threshold", "p95<200"], "thresholds = [\"p95<1s\"]\n");
    assert!(
        text.starts_with("--threshold: threshold `p95<200`"),
        "{text}"
    );
    let cli = cli(&["--ramp-up", "soon"]);
    let text = format!(
        "{:#}",
        resolve(&cli.plan, &cli.outputs, &cli.live, None)
            .err()
            .unwrap()
    );
    assert!(
        text.starts_with("--ramp-up: `soon` is not a duration"),
        "{text}"
    );
}

#[test]
fn bad_input_is_named_with_what_is_wrong_and_the_fix() {
    let without_profile = |args: &[&str]| {
        let cli = cli(args);
        format!(
            "{:#}",
            resolve(&cli.plan, &cli.outputs, &cli.live, None)
                .err()
                .expect("an error")
        )
    };
    // A negative value reaches the parser, which names the flag, not clap's `-- -1` advice.
    for (args, start) in [
        (&["--think", "-1s"][..], "--think: `-1s` is not a pause"),
        (
            &["--rate", "-5/s", "-d", "1s"],
            "--rate: `-5/s` is not a rate",
        ),
        (
            &["--rate", "5/s", "-d", "1s", "--max-users", "-1"],
            "--max-users: `-1` is not a number of users",
        ),
        (&["--stages", "-1@1s"], "--stages: `-1@1s`"),
        (
            &["--redact-header", ""],
            "--redact-header: the name is empty; give a header name",
        ),
        (
            &["--redact-header", "bad name"],
            "--redact-header `bad name` is not a header name",
        ),
        (
            &["--server-url", "127.0.0.1:8080"],
            "--server-url: `127.0.0.1:8080` has no scheme; write --server-url http://127.0.0.1:8080 (or https://)",
        ),
        (
            &["-u", "1000000000", "-c", "1"],
            "--users: 1000000000 users at once would need",
        ),
    ] {
        let message = without_profile(args);
        assert!(message.starts_with(start), "{args:?}: {message}");
    }
    assert_eq!(
        message(&[], "users = -1\n"),
        "loadcase.toml:2 [profile.ci] users: `-1` is not a number of users (in `-1`); give each stage a count from 1 to 4294967295, colon-separated, e.g. -u 10:20:30"
    );
    assert!(
        message(&[], "server_url = \"localhost:8080\"\n")
            .ends_with("write server_url = \"http://localhost:8080\" (or https://)")
    );
}
