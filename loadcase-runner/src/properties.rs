//! Every parser of the command line and of `loadcase.toml`, over arbitrary input: none panics,
//! a refusal is a usage error (exit code 2), and it names the flag or the profile's key that
//! holds the value it refuses.

use std::path::Path;

use clap::Parser;
use loadcase::plan::PlanField;
use proptest::prelude::*;

use crate::cli::Cli;
use crate::command::quick;
use crate::settings::{self, profile};

/// Values as people mistype them: numbers (negative, huge, fractional), units, separators of
/// stages and ranges, URLs without a scheme, spaces, control and non-ASCII characters.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{0,22}(\\.[0-9]{0,3})?(ms|s|m|h|d|us|µs|/s|/m|%|MiB|KB|x)?",
        "[-0-9@:/,. a-z%<>=]{0,24}",
        "(https?|ws|ftp)?(://)?[a-z0-9.:@/?#-]{0,24}",
        any::<String>(),
    ]
}

/// A scratch directory for the paths that settings create before a run (reports, the log).
fn scratch() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"))
        .path()
}

/// The flags that take a value, with a strategy for it: every plan option, the server URL,
/// thresholds, reports and the request log (in the scratch directory), and `--redact-header`.
fn flagged() -> impl Strategy<Value = (String, String)> {
    let plan: Vec<String> = PlanField::ALL.iter().map(|f| f.flag()).collect();
    let file = "[a-z]{1,6}(/[a-z]{1,6})?\\.(json|html|htm|xml|csv|jsonl|ndjson|txt|)";
    let under_scratch = |flag: &'static str| {
        file.prop_map(move |f| (flag.to_owned(), scratch().join(f).display().to_string()))
    };
    prop_oneof![
        (proptest::sample::select(plan), value()),
        (
            proptest::sample::select(vec![
                "--server-url".to_owned(),
                "--threshold".to_owned(),
                "--redact-header".to_owned(),
            ]),
            value()
        ),
        under_scratch("--report"),
        under_scratch("--log-requests"),
    ]
}

/// `Err`'s message, or nothing.
fn refusal<T>(result: anyhow::Result<T>) -> Option<String> {
    result.err().map(|e| format!("{e:#}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// One to three flags with values: clap's refusal or the settings' names one of them.
    #[test]
    fn a_refused_flag_value_is_named(flags in proptest::collection::vec(flagged(), 1..=3)) {
        let mut args = vec!["cargo-loadrun".to_owned(), "example::t".to_owned()];
        for (flag, value) in &flags {
            args.push(format!("{flag}={value}"));
        }
        let named = |message: &str| flags.iter().any(|(flag, _)| message.contains(flag.as_str()));
        match Cli::try_parse_from(&args) {
            Err(e) => {
                prop_assert_eq!(e.exit_code(), 2, "{}", e);
                let message = e.to_string();
                prop_assert!(named(&message), "{:?}: {}", args, message);
            }
            Ok(cli) => {
                if let Some(message) = refusal(settings::resolve(&cli.plan, &cli.outputs, &cli.live, None)) {
                    prop_assert!(named(&message), "{:?}: {}", args, message);
                }
            }
        }
    }

    /// A value given apart from its flag (`--think -1s`) reaches the parser that explains it.
    #[test]
    fn a_value_that_starts_with_a_hyphen_is_the_flags(field in proptest::sample::select(PlanField::ALL.to_vec()), n in 1u32..1000) {
        let flag = field.flag();
        let args = ["cargo-loadrun", "example::t", &flag, &format!("-{n}")];
        let cli = Cli::try_parse_from(args);
        prop_assert!(cli.is_ok(), "{:?}: {}", args, cli.err().map(|e| e.to_string()).unwrap_or_default());
        let cli = cli.unwrap();
        let message = refusal(settings::resolve(&cli.plan, &cli.outputs, &cli.live, None));
        prop_assert!(message.as_deref().is_some_and(|m| m.contains(&flag)), "{:?}: {:?}", args, message);
    }

    /// Quick mode's request: `--url`, `--header`, `--method`, `--data`, each refusal naming its flag.
    #[test]
    fn quick_modes_request_is_refused_by_its_flag(text in value()) {
        let named = |result: Option<String>, flag: &str| {
            result.is_none_or(|message| message.contains(flag))
        };
        prop_assert!(named(refusal(quick::parse_url(&text)), "--url"));
        prop_assert!(named(refusal(quick::parse_header(&text)), "--header"));
        prop_assert!(named(refusal(quick::parse_method(&text)), "--method"));
        // A body that is not `@FILE` is sent as it is.
        if !text.starts_with('@') {
            prop_assert!(quick::read_body(&text).is_ok());
        }
    }

    /// The numbers that clap reads itself: `history --limit`, `--regression-tolerance`,
    /// `--expect-status`.
    #[test]
    fn clap_read_numbers_name_their_flag(text in value()) {
        for args in [
            vec!["cargo-loadrun", "history", "--limit", &text],
            vec!["cargo-loadrun", "example::t", "--compare", "last", "--regression-tolerance", &text],
            vec!["cargo-loadrun", "--url", "http://127.0.0.1:1/", "--expect-status", &text],
        ] {
            if let Err(e) = Cli::try_parse_from(&args) {
                prop_assert_eq!(e.exit_code(), 2, "{}", e);
                prop_assert!(e.to_string().contains(args[args.len() - 2]), "{:?}: {}", args, e);
            }
        }
    }

    /// A profile with any key the file may hold, set to any TOML value: read and resolved, a
    /// refusal names the file's line, the profile and the key.
    #[test]
    fn a_refused_profile_value_names_its_key(key in profile_key(), value in toml_value()) {
        let mut table = toml::Table::new();
        table.insert(key.clone(), value);
        let mut profiles = toml::Table::new();
        profiles.insert("p".into(), toml::Value::Table(table));
        let mut file = toml::Table::new();
        file.insert("profile".into(), toml::Value::Table(profiles));
        let text = toml::to_string(&file).expect("a table serializes");
        let path = scratch().join(profile::FILE);
        let named = |message: &str| {
            message.contains(&format!("[profile.p] {key}"))
                || message.contains(&format!("unknown field `{key}` in [profile.p]"))
        };
        match profile::parse(&text, "p", &path) {
            Err(e) => prop_assert!(named(&format!("{e:#}")), "{}: {:#}", text, e),
            Ok(profile) => {
                let options = Cli::try_parse_from(["cargo-loadrun", "example::t"]).unwrap();
                let resolved = settings::resolve(&options.plan, &options.outputs, &options.live, Some(&profile));
                if let Some(message) = refusal(resolved) {
                    prop_assert!(named(&message), "{}: {}", text, message);
                }
            }
        }
    }
}

/// A key a profile takes, or one it does not.
fn profile_key() -> impl Strategy<Value = String> {
    let mut keys: Vec<String> = PlanField::ALL.iter().map(|f| f.key().to_owned()).collect();
    keys.extend(["server_url", "thresholds", "reports"].map(String::from));
    prop_oneof![proptest::sample::select(keys), "[a-z_]{1,12}"]
}

/// A TOML value of any kind a hand-written file may hold; report paths stay in the scratch
/// directory (relative, no `..`), since resolving a profile checks that they can be written.
fn toml_value() -> impl Strategy<Value = toml::Value> {
    let scalar = prop_oneof![
        value()
            .prop_filter("stays in the scratch directory", |s| !s.starts_with('/')
                && !s.contains(".."))
            .prop_map(toml::Value::String),
        any::<i64>().prop_map(toml::Value::Integer),
        any::<f64>().prop_map(toml::Value::Float),
        any::<bool>().prop_map(toml::Value::Boolean),
    ];
    prop_oneof![
        3 => scalar.clone(),
        1 => proptest::collection::vec(scalar, 0..3).prop_map(toml::Value::Array),
    ]
}
