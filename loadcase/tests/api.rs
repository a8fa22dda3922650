//! The public API is what the crate docs list: every item at the crate root appears in the
//! table "The API at a glance" of `src/lib.rs`, and every item that table names is at the root.
//! An item added, removed or renamed without its line in the docs fails here.

use std::collections::BTreeSet;

const LIB: &str = include_str!("../src/lib.rs");

/// The names the crate root makes public: `pub use`, `pub mod`, `pub type`, and the
/// `#[macro_export]` macros (which land at the root from wherever they are defined).
fn root_items() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut statement = String::new();
    for line in LIB
        .lines()
        .filter(|l| !l.starts_with("//") && !l.starts_with("    "))
    {
        if line.starts_with("pub ") || !statement.is_empty() {
            statement.push_str(line.trim());
            statement.push(' ');
        }
        if !statement.is_empty() && (line.ends_with(';') || line.ends_with('{')) {
            names.extend(declared(&statement));
            statement.clear();
        }
    }
    for (file, text) in sources() {
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if line.trim() == "#[macro_export]" {
                let next = lines.next().unwrap_or_default();
                let name = next
                    .trim()
                    .strip_prefix("macro_rules! ")
                    .and_then(|rest| rest.split_whitespace().next())
                    .unwrap_or_else(|| panic!("{file}: a #[macro_export] without macro_rules!"));
                names.insert(name.to_owned());
            }
        }
    }
    names
}

/// What one `pub …` statement of the root declares.
fn declared(statement: &str) -> Vec<String> {
    let words: Vec<&str> = statement.split_whitespace().collect();
    match words.get(1).copied() {
        Some("mod") | Some("type") | Some("fn") | Some("const") | Some("struct") | Some("enum") => {
            let name = words[2].trim_end_matches([';', '{', '<']);
            vec![name.split('<').next().unwrap().to_owned()]
        }
        Some("use") => {
            let path = statement["pub use ".len()..].trim().trim_end_matches(';');
            match path.split_once('{') {
                Some((_, group)) => group
                    .trim_end_matches('}')
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| last_name(item).to_owned())
                    .collect(),
                None => vec![last_name(path).to_owned()],
            }
        }
        _ => Vec::new(),
    }
}

/// `a::b::C` is `C`; `a::b as C` is `C`.
fn last_name(path: &str) -> &str {
    match path.split_once(" as ") {
        Some((_, alias)) => alias.trim(),
        None => path.rsplit("::").next().unwrap().trim(),
    }
}

fn sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                files.push((path.display().to_string(), text));
            }
        }
    }
    files
}

/// The names in the first column of the docs' table.
fn listed_items() -> BTreeSet<String> {
    let table: Vec<&str> = LIB
        .lines()
        .skip_while(|l| !l.starts_with("//! # The API at a glance"))
        .skip(1)
        .take_while(|l| l.starts_with("//!"))
        .filter(|l| l.starts_with("//! | [`"))
        .collect();
    assert!(
        !table.is_empty(),
        "src/lib.rs has no table \"The API at a glance\""
    );
    table
        .iter()
        .flat_map(|row| {
            let first = row.trim_start_matches("//! |").split('|').next().unwrap();
            first
                .split("[`")
                .skip(1)
                .map(|name| {
                    name.split('`')
                        .next()
                        .unwrap()
                        .trim_end_matches('!')
                        .to_owned()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_root_exports_exactly_what_the_docs_list() {
    let (mut root, listed) = (root_items(), listed_items());
    // The runner's plumbing stays out of sight, behind one hidden module.
    assert!(root.remove("__private"));
    assert!(LIB.contains("#[doc(hidden)]\npub mod __private"));
    let undocumented: Vec<_> = root.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&root).collect();
    assert!(
        undocumented.is_empty() && missing.is_empty(),
        "public at the root but not in \"The API at a glance\": {undocumented:?}; \
         listed but not public at the root: {missing:?}"
    );
}

#[test]
fn every_listed_item_is_reachable_by_its_documented_path() {
    // Compiles only while each name of the table is public at the root.
    use loadcase::{
        App, AppRequest, AppResponse, Context, Control, DEFAULT_BODY_LIMIT,
        DEFAULT_REQUEST_TIMEOUT, Dataset, DatasetError, Error, Event, IntoOutcome, Message,
        Outcome, Plan, Problem, ProblemKind, Progress, Report, RequestBuilder, Response, Run,
        SendError, Session, Snapshot, Snapshots, Strategy, Test, TestFn, TestResult, WebSocket,
        WsError, fail, plan, prelude, report, reqwest, run, run_mix, tungstenite,
    };
    let _ = (DEFAULT_REQUEST_TIMEOUT, DEFAULT_BODY_LIMIT, run, run_mix);
    fn named<T: ?Sized>() {}
    named::<App>();
    named::<AppResponse>();
    named::<AppRequest<'_>>();
    named::<Context>();
    named::<Control>();
    named::<Dataset<()>>();
    named::<DatasetError>();
    named::<Error>();
    named::<dyn IntoOutcome>();
    named::<Message>();
    named::<Outcome>();
    named::<Plan>();
    named::<Problem>();
    named::<ProblemKind>();
    named::<Progress>();
    named::<Report>();
    named::<Run>();
    named::<Event>();
    named::<Snapshots>();
    named::<Snapshot>();
    named::<RequestBuilder<'_>>();
    named::<Response>();
    named::<SendError>();
    named::<Session>();
    named::<Strategy>();
    named::<Test>();
    named::<TestResult>();
    named::<WebSocket>();
    named::<WsError>();
    named::<plan::Shape>();
    named::<report::Stats>();
    named::<reqwest::Method>();
    named::<tungstenite::Error>();
    fn takes_test_fn<F: for<'a> TestFn<'a>>(_: F) {}
    takes_test_fn(async |_cx: &mut Context| {});
    // The two macros, by their documented paths (used for real by every other test file).
    #[allow(unused_imports)]
    use loadcase::{dataset, load_test};
    #[allow(unused_imports)]
    use prelude::*;
    let failed = || -> TestResult {
        fail!("it says why");
    };
    assert!(failed().is_err());
}
