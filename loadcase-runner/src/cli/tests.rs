use std::path::PathBuf;

use clap::CommandFactory;

use super::*;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("cargo-loadrun").chain(args.iter().copied()))
}

#[test]
fn a_test_its_options_and_list_still_parse_beside_the_subcommand() {
    let cli = parse(&["example::test_es", "-u", "100", "-c", "10"]).unwrap();
    assert_eq!(cli.tests, ["example::test_es"]);
    assert_eq!(cli.plan.users.as_deref(), Some("100"));
    assert_eq!(cli.plan.hits.as_deref(), Some("10"));
    assert!(cli.command.is_none());
    assert!(parse(&["--list"]).unwrap().list);
    // A bare command line parses: the runner then says what to do next (see `command`).
    let bare = parse(&[]).unwrap();
    assert!(bare.tests.is_empty() && !bare.list && bare.quick.url.is_none());
    let cli = parse(&["example::test_es", "--history", "h.sqlite", "--no-history"]).unwrap();
    assert_eq!(cli.history.history, Some(PathBuf::from("h.sqlite")));
    assert!(cli.history.no_history);
}

#[test]
fn cargo_runs_it_with_the_subcommand_word_and_people_without() {
    let words = |args: &[&str]| -> Vec<String> {
        without_subcommand_word(args.iter().map(std::ffi::OsString::from))
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    };
    assert_eq!(
        words(&["cargo-loadrun", "loadrun", "example::test_es"]),
        ["cargo-loadrun", "example::test_es"]
    );
    assert_eq!(
        words(&["cargo-loadrun", "example::test_es", "-u", "3"]),
        ["cargo-loadrun", "example::test_es", "-u", "3"]
    );
}

#[test]
fn history_is_a_subcommand_with_its_own_options() {
    let cli = parse(&["history"]).unwrap();
    let Some(Command::History(args)) = cli.command else {
        panic!("{cli:?}")
    };
    assert_eq!((args.test, args.limit), (None, 20));
    let cli = parse(&["history", "example::test_es", "--weekly", "--history", "h"]).unwrap();
    let Some(Command::History(args)) = cli.command else {
        panic!("{cli:?}")
    };
    assert_eq!(args.test.as_deref(), Some("example::test_es"));
    assert!(args.weekly && !args.monthly && !args.yearly);
    assert_eq!(args.history, Some(PathBuf::from("h")));
    assert!(parse(&["history", "--weekly", "--monthly"]).is_err());
    assert!(parse(&["history", "--weekly", "--limit", "3"]).is_err());
    // A run's options do not go with the subcommand; after a test, `history` is one more
    // test of a mix (which the runner then finds is not a test path).
    assert!(parse(&["example::test_es", "history", "--weekly"]).is_err());
    let cli = parse(&["example::test_es", "history"]).unwrap();
    assert!(cli.command.is_none());
    assert_eq!(cli.tests, ["example::test_es", "history"]);
}

#[test]
fn tolerances_are_percentages_and_go_with_compare() {
    let tolerance = |text: &str| {
        parse(&["t::x", "--compare", "last", "--regression-tolerance", text])
            .map(|cli| cli.history.regression_tolerance)
    };
    assert_eq!(tolerance("10%").unwrap(), 0.10);
    assert_eq!(tolerance("10").unwrap(), 0.10);
    assert_eq!(tolerance("2.5%").unwrap(), 0.025);
    assert_eq!(tolerance("0").unwrap(), 0.0);
    for bad in ["-5%", "ten", "%", "NaN", "inf"] {
        assert!(tolerance(bad).is_err(), "{bad}");
    }
    let cli = parse(&["t::x", "--compare", "last"]).unwrap();
    assert_eq!(cli.history.regression_tolerance, 0.10, "the default");
    assert!(!cli.history.fail_on_regression);
    assert!(
        parse(&["t::x", "--fail-on-regression"]).is_err(),
        "needs --compare"
    );
    assert!(parse(&["t::x", "--regression-tolerance", "5"]).is_err());
    assert!(
        parse(&["t::x", "--compare", "3", "--fail-on-regression"])
            .unwrap()
            .history
            .fail_on_regression
    );
}

#[test]
fn every_plan_option_is_on_the_command_line_under_its_flag() {
    for field in loadcase::plan::PlanField::ALL {
        let flag = field.flag();
        let cli = parse(&["t::x", &flag, "7"]).unwrap_or_else(|e| panic!("{flag}: {e}"));
        assert_eq!(cli.plan.get(field), Some("7"), "{flag}");
    }
}

#[test]
fn help_is_grouped_and_short() {
    let help = Cli::command().render_help().to_string();
    let headings = [
        "Options:",
        "Plan:",
        "Plan: load shape:",
        "Plan: open model:",
        "Plan: pacing and limits:",
        "Outputs:",
        "History and comparison:",
        "Cargo:",
        "Quick mode: one URL, no test:",
    ];
    let mut at = 0;
    for heading in headings {
        let found = help[at..]
            .find(&format!("\n{heading}\n"))
            .unwrap_or_else(|| panic!("no `{heading}` after byte {at}:\n{help}"));
        at += found + 1;
    }
    // Quick mode's options are under its heading, not among the test's.
    let quick = help.find("\nQuick mode: one URL, no test:\n").unwrap();
    assert!(help.find("--expect-status").unwrap() > quick);
    assert!(help.find("--url <URL>").unwrap() > quick);
    // One line an option: no option has a long help that would make --help another page.
    assert!(
        help.lines().count() <= 105,
        "{} lines:\n{help}",
        help.lines().count()
    );
    assert!(
        help.lines().all(|l| l.chars().count() <= 100),
        "a line wraps:\n{help}"
    );
}

#[test]
fn numbers_clap_reads_say_what_is_wrong_with_them() {
    let refused = |args: &[&str]| {
        let error = parse(args).expect_err("refused");
        assert_eq!(error.exit_code(), 2, "a usage error");
        error.to_string()
    };
    for (args, says) in [
        (
            &["history", "--limit", "-1"][..],
            "`-1` is negative; write a whole number of runs, 1 or more",
        ),
        (&["history", "--limit", "0"], "0 runs would list nothing"),
        (
            &["t", "--compare", "last", "--regression-tolerance", "-5"],
            "`-5` is negative: a tolerance",
        ),
        (
            &["--url", "http://h/", "--expect-status", "-1"],
            "`-1` is not an HTTP status, which is from 100 to 599",
        ),
        (
            &["--url", "http://h/", "--expect-status", "20x"],
            "`20x` is not a number",
        ),
    ] {
        let message = refused(args);
        assert!(message.contains(says), "{args:?}: {message}");
        assert!(!message.contains("-- -1"), "{message}");
    }
    let Some(Command::History(history)) = parse(&["history", "--limit", "7"]).unwrap().command
    else {
        panic!("the history subcommand");
    };
    assert_eq!(history.limit, 7);
    assert_eq!(
        parse(&["--url", "http://h/", "--expect-status", "200,204"])
            .unwrap()
            .quick
            .expect_status,
        [200, 204]
    );
}
