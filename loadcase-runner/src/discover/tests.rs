use std::path::PathBuf;

use super::*;

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
