use std::path::PathBuf;

use clap::Parser;

use super::*;
use crate::cli::Cli;

fn target(package: &str, name: &str) -> TestTarget {
    TestTarget {
        package: package.into(),
        name: name.into(),
        selector: vec!["--test".into(), name.into()],
        kind: Kind::Test,
        buildable: true,
        package_dir: PathBuf::from(package),
    }
}

#[test]
fn same_named_targets_of_one_package_are_all_candidates() {
    let lib = TestTarget {
        kind: Kind::Lib,
        selector: vec!["--lib".into()],
        ..target("a", "a")
    };
    let targets = vec![lib, target("a", "a")];
    let found = find_targets(&parse_test_path("a::load").unwrap(), &targets).unwrap();
    let kinds: Vec<Kind> = found.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [Kind::Test, Kind::Lib],
        "both are tried, the test file first"
    );
}

#[test]
fn paths_split_at_the_first_separator() {
    assert_eq!(
        parse_test_path("example::test_es").unwrap(),
        TestPath {
            target: "example",
            name: "test_es"
        }
    );
    assert_eq!(
        parse_test_path("example::api::login").unwrap(),
        TestPath {
            target: "example",
            name: "api::login"
        }
    );
    for bad in ["test_es", "::x", "example::", "example::mod::"] {
        let err = parse_test_path(bad).unwrap_err().to_string();
        assert!(err.contains("target::function"), "{bad}: {err}");
    }
}

#[test]
fn suggestions_catch_typos_and_ignore_strangers() {
    let names = [
        "example::test_es",
        "example::test_ws",
        "example::test_app",
        "other::unrelated",
    ];
    assert_eq!(suggest("example::test_e", names)[0], "example::test_es");
    assert_eq!(suggest("example::tset_ws", names)[0], "example::test_ws");
    assert!(suggest("zzzzzz", names).is_empty());
    assert!(suggest("example::test", names).len() <= 3);
}

#[test]
fn did_you_mean_reads_naturally() {
    assert_eq!(did_you_mean(&[]), "");
    assert_eq!(did_you_mean(&["a"]), "; did you mean `a`?");
    assert_eq!(
        did_you_mean(&["a", "b", "c"]),
        "; did you mean `a`, `b` or `c`?"
    );
}

#[test]
fn targets_resolve_with_hyphens_typos_and_ambiguity() {
    let targets = vec![
        target("p", "example"),
        target("p", "my_test"),
        target("q", "shared"),
        target("r", "shared"),
    ];
    let found = find_targets(&parse_test_path("my-test::x").unwrap(), &targets).unwrap();
    assert_eq!(found[0].name, "my_test");
    let err = find_targets(&parse_test_path("exampel::x").unwrap(), &targets)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no test target named `exampel`; did you mean `example`?"),
        "{err}"
    );
    let err = find_targets(&parse_test_path("shared::x").unwrap(), &targets)
        .unwrap_err()
        .to_string();
    assert!(err.contains("-p PACKAGE") && err.contains("q, r"), "{err}");
}

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
    assert_eq!(cli.plan.users.as_deref(), Some("100"));
}
