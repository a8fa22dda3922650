//! Nothing secret at rest: secrets planted everywhere a user can put one — URL credentials of
//! `--url`, `--server-url`, `LOADCASE_SERVER_URL` and a profile's `server_url`, a lone user name
//! used as a token, `Authorization` and `Cookie` headers of the test and of `--header`, a header
//! named by `--redact-header`, an inline `--data` body — through the real runner with every
//! output on (four report formats, request logs in both formats, the history); then every file
//! written, the SQLite file and its WAL included, and every line printed are searched for them.

use std::path::Path;

use loadcase_e2e::webhook::Webhook;
use loadcase_e2e::{DemoServer, Run, TempDir, finish, history, loadrun_recorded};

/// Every secret planted, each one a string found nowhere else.
const SECRETS: [&str; 13] = [
    // The fixture's own (tests/fixture.rs `secrets`).
    "pw-in-url",
    "token-in-header",
    "cookie-value",
    "key-in-custom-header",
    // The command line's, the environment's and the profile's.
    "pw-in-server-url",
    "pw-in-env",
    "pw-in-profile",
    "pw-quick-url",
    "tok-quick-auth",
    "tok-quick-cookie",
    "tok-quick-key",
    "tok-quick-data",
    "tok-user-only",
];

/// Every file below `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn leaks(haystack: &[u8]) -> Vec<&'static str> {
    SECRETS
        .into_iter()
        .filter(|s| haystack.windows(s.len()).any(|w| w == s.as_bytes()))
        .collect()
}

#[test]
fn no_secret_reaches_any_file_or_any_line_printed() {
    let server = DemoServer::start_local();
    let dir = TempDir::new("secrets");
    let at = |file: &str| dir.path(file);
    let history_file = at(".loadcase/history.sqlite");
    let hook = Webhook::start();
    let with_password = |password: &str| {
        server
            .url("")
            .replacen("://", &format!("://ann:{password}@"), 1)
    };
    let outputs = |name: &str, log: &str| -> Vec<String> {
        let mut args = vec!["--history".to_owned(), history_file.clone()];
        for ext in ["json", "html", "xml", "csv"] {
            args.extend(["--report".to_owned(), at(&format!("{name}.{ext}"))]);
        }
        args.extend([
            "--log-requests".to_owned(),
            at(&format!("{name}-log.{log}")),
        ]);
        args
    };
    let runner = |args: Vec<String>, env: Option<(&str, String)>| -> Run {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut command = if args[0] == "--url" {
            // Quick mode, which takes no cargo option, run where it keeps its history.
            let mut command = std::process::Command::new(loadcase_e2e::runner());
            command.arg("loadrun").args(&args).current_dir(dir.dir());
            command
        } else {
            loadrun_recorded("tests/Cargo.toml", &args)
        };
        // Run directories and a notice of every run, searched with the rest.
        command
            .env_remove("LOADCASE_SERVER_URL")
            .env("LOADCASE_RUNS", at(".loadcase/runs"))
            .args(["--notify", hook.url()]);
        if let Some((key, value)) = env {
            command.env(key, value);
        }
        finish(command)
    };
    let redact = ["--redact-header".to_owned(), "X-Api-Key".to_owned()];
    let test = |more: &[String]| -> Vec<String> {
        let mut args = vec![
            "fixture::secrets".to_owned(),
            "-u".into(),
            "2".into(),
            "-c".into(),
            "4".into(),
        ];
        args.extend(redact.iter().cloned());
        args.extend(more.iter().cloned());
        args
    };
    let mut runs = Vec::new();
    // A test with --server-url, one with LOADCASE_SERVER_URL, one with a profile's.
    runs.push(runner(
        [
            test(&["--server-url".into(), with_password("pw-in-server-url")]),
            outputs("flag", "jsonl"),
        ]
        .concat(),
        None,
    ));
    runs.push(runner(
        [test(&[]), outputs("env", "csv")].concat(),
        Some(("LOADCASE_SERVER_URL", with_password("pw-in-env"))),
    ));
    runs.push(runner(
        [
            vec![
                "fixture::secrets".into(),
                "--profile".into(),
                "secret_url".into(),
            ],
            redact.to_vec(),
            outputs("profile", "jsonl"),
        ]
        .concat(),
        None,
    ));
    // Quick mode: credentials in the URL, secret headers, a body; every request fails (405).
    let quick_url = format!("{}/status/500", with_password("pw-quick-url"));
    let quick: Vec<String> = [
        "--url",
        &quick_url,
        "--header",
        "Authorization: Bearer tok-quick-auth",
        "--header",
        "Cookie: id=tok-quick-cookie",
        "--header",
        "X-Api-Key: tok-quick-key",
        "--data",
        "password=tok-quick-data",
        "-u",
        "2",
        "-c",
        "3",
    ]
    .map(String::from)
    .to_vec();
    runs.push(runner(
        [quick, redact.to_vec(), outputs("quick", "jsonl")].concat(),
        None,
    ));
    // A token as the URL's user name, on a request made to fail so that it is logged.
    let token_url = server.url("/es").replacen("://", "://tok-user-only@", 1);
    let token: Vec<String> = ["--url", &token_url, "--expect-status", "201", "-c", "2"]
        .map(String::from)
        .to_vec();
    runs.push(runner([token, outputs("token", "csv")].concat(), None));

    let codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        [0, 0, 1, 1, 1],
        "{}",
        runs.iter().map(Run::to_string).collect::<String>()
    );
    for run in &runs {
        let printed = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(leaks(printed.as_bytes()), Vec::<&str>::new(), "{run}");
    }
    let listed = history(&["--history", &history_file]);
    assert_eq!(
        listed.stdout.lines().count(),
        1 + runs.len(),
        "every run recorded: {listed}"
    );

    let written = files(dir.dir());
    let names: Vec<String> = written
        .iter()
        .map(|p| p.strip_prefix(dir.dir()).unwrap().display().to_string())
        .collect();
    for expected in [
        "flag.json",
        "flag.html",
        "flag.xml",
        "flag.csv",
        "flag-log.jsonl",
        "env-log.csv",
        "profile.json",
        "quick-log.jsonl",
        "token-log.csv",
        ".loadcase/history.sqlite",
        ".loadcase/.gitignore",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no {expected} in {names:?}"
        );
    }
    assert!(
        names
            .iter()
            .filter(|n| n.ends_with("snapshot.json"))
            .count()
            == runs.len(),
        "the runs' directories: {names:?}"
    );
    for file in &written {
        let bytes = std::fs::read(file).unwrap();
        assert_eq!(leaks(&bytes), Vec::<&str>::new(), "in {}", file.display());
    }
    let notices = hook.bodies();
    assert_eq!(notices.len(), runs.len(), "a notice per run: {notices:?}");
    for notice in &notices {
        assert_eq!(
            leaks(notice.as_bytes()),
            Vec::<&str>::new(),
            "in a notice: {notice}"
        );
    }
    // The secrets were there to be redacted: the logs show where they were.
    for log in ["flag-log.jsonl", "quick-log.jsonl", "token-log.csv"] {
        let text = std::fs::read_to_string(at(log)).unwrap();
        assert!(text.contains("[redacted]"), "{log}: {text}");
    }
}
