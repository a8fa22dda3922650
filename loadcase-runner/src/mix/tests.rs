use clap::Parser;
use loadcase::report::Stats;
use loadcase::report::Threshold;

use super::*;
use crate::cli::Cli;

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn error(items: &[&str]) -> String {
    Selection::parse(&texts(items)).unwrap_err().to_string()
}

#[test]
fn entries_take_an_optional_weight_after_a_lone_colon() {
    let items = texts(&["shop::browse:3", "shop::cart::checkout", "shop::pay:1000"]);
    let selection = Selection::parse(&items).unwrap();
    let found: Vec<(&str, &str, u32)> = selection
        .entries
        .iter()
        .map(|e| (e.path.target, e.path.name, e.weight))
        .collect();
    assert_eq!(
        found,
        [
            ("shop", "browse", 3),
            ("shop", "cart::checkout", 1),
            ("shop", "pay", 1000)
        ]
    );
    assert_eq!(selection.first().name, "browse");
    assert_eq!(
        selection.plan_mix(),
        [
            ("browse".to_owned(), 3),
            ("cart::checkout".to_owned(), 1),
            ("pay".to_owned(), 1000)
        ]
    );
}

#[test]
fn a_single_test_is_no_mix_whatever_its_weight() {
    let items = texts(&["example::test_es:5"]);
    let selection = Selection::parse(&items).unwrap();
    assert_eq!(selection.entries.len(), 1);
    assert!(selection.plan_mix().is_empty(), "the binary runs it alone");
}

#[test]
fn bad_weights_name_the_entry_and_the_fix() {
    for bad in ["0", "1001", "x", "", "-1", "2.5", " 3"] {
        let message = error(&["shop::browse", &format!("shop::checkout:{bad}")]);
        assert!(
            message.contains(&format!("`shop::checkout:{bad}`"))
                && message.contains(&format!("the weight `{bad}`"))
                && message.contains("from 1 to 1000")
                && message.contains("shop::checkout:3"),
            "{bad}: {message}"
        );
    }
    let message = error(&["shop::browse:2:3"]);
    assert!(message.contains("more than one weight"), "{message}");
}

#[test]
fn paths_are_checked_as_for_a_single_test() {
    let message = error(&["shop::browse", "checkout:2"]);
    assert!(
        message.contains("`checkout` is not a load test path"),
        "{message}"
    );
    assert!(error(&[]).contains("give a load test"));
}

#[test]
fn a_mix_stays_within_one_target() {
    let message = error(&["shop::browse:3", "other::checkout"]);
    assert!(
        message.contains("must be in one test target")
            && message.contains("`shop::browse` is in target `shop`")
            && message.contains("`other::checkout` in target `other`")
            && message.contains("limitation")
            && message.contains("put them in one file, e.g. tests/shop.rs"),
        "{message}"
    );
    // `-` and `_` name the same target, as for a single test.
    assert!(Selection::parse(&texts(&["my-shop::a", "my_shop::b"])).is_ok());
}

#[test]
fn a_test_given_twice_is_one_test_with_the_sum_of_its_weights() {
    let message = error(&["shop::browse:3", "shop::checkout", "shop::browse:2"]);
    assert!(
        message.contains("`shop::browse` is given twice") && message.contains("shop::browse:5"),
        "{message}"
    );
}

#[test]
fn the_command_line_takes_several_tests() {
    let cli = Cli::try_parse_from([
        "cargo-loadrun",
        "shop::browse:3",
        "shop::checkout:1",
        "-u",
        "100",
    ])
    .unwrap();
    assert_eq!(cli.tests, ["shop::browse:3", "shop::checkout:1"]);
    assert_eq!(cli.users.as_deref(), Some("100"));
}

fn outputs(by_test: Vec<(String, Vec<Threshold>)>, run: &[&str]) -> Outputs {
    Outputs {
        thresholds: threshold::parse_thresholds(run).unwrap(),
        reports: Vec::new(),
        by_test,
    }
}

#[test]
fn each_test_of_a_mix_is_judged_on_its_own_figures() {
    let mut report = Report {
        elapsed_secs: 1.0,
        ..Report::default()
    };
    let mut ok = Stats::default();
    ok.hits.success = 9;
    let mut bad = Stats::default();
    bad.hits.success = 1;
    bad.hits.errors = 1;
    report.stats.merge(&ok);
    report.stats.merge(&bad);
    report.by_test.insert("shop::browse".into(), ok);
    report.by_test.insert("shop::checkout".into(), bad);
    let own = |t: &str| threshold::parse_thresholds(&[t]).unwrap();
    let outputs = outputs(
        vec![
            ("shop::browse".into(), own("hit_error_rate<10%")),
            ("shop::checkout".into(), own("hit_error_rate<10%")),
            ("shop::gone".into(), own("hits>0")),
        ],
        &["hit_error_rate<20%"],
    );
    let verdicts = verdicts(&report, &outputs);
    let seen: Vec<(&str, bool)> = verdicts
        .iter()
        .map(|v| (v.threshold.as_str(), v.passed))
        .collect();
    assert_eq!(
        seen,
        [
            ("hit_error_rate<10% (shop::browse)", true),
            ("hit_error_rate<10% (shop::checkout)", false),
            ("hits>0 (shop::gone)", false),
            // 1 of 11 over the whole run.
            ("hit_error_rate<20%", true),
        ]
    );
}
