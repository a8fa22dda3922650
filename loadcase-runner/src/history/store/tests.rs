use std::time::{Duration, Instant};

use loadcase::ProblemKind;
use loadcase::report::REPORT_SCHEMA;
use loadcase::report::Second;

use super::super::environment;
use super::views::{Period, Periods, add_to_period};
use super::*;

/// A directory of its own under the system's temporary one, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("loadcase-history-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self) -> PathBuf {
        self.0.join("history.sqlite")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A report of `n` requests timed `first_us, first_us + step_us, …`, started at `started_ms`.
fn report(test: &str, started_ms: u64, first_us: u64, step_us: u64, n: u64) -> Report {
    let mut report = Report {
        schema: REPORT_SCHEMA,
        test: test.into(),
        started_unix_ms: started_ms,
        // Not a round number: the float must come back bit for bit.
        elapsed_secs: 1.0 + n as f64 / 7.0,
        plan: Some(loadcase::Plan::parse(Some("10:20"), Some("3"), None).unwrap()),
        thresholds: vec!["p95<200ms".into()],
        ..Report::default()
    };
    let stats = &mut report.stats;
    for i in 0..n {
        let time = Duration::from_micros(first_us + i * step_us);
        let r = stats.requests.entry(format!("GET /{}", i % 3)).or_default();
        r.count += 1;
        r.time.record(time);
        r.ttfb.record(time / 2);
        r.ttlb.record(time);
        r.bytes_received += 100;
        if i % 10 == 9 {
            r.errors += 1;
            stats.hits.errors += 1;
            stats.add_problem(ProblemKind::Error, "boom", Some("t.rs:1:2"), 1);
        } else {
            stats.hits.success += 1;
        }
        stats.hits.time.record(time + Duration::from_micros(50));
        *stats.status_codes.entry(200).or_default() += 1;
    }
    stats.counters.insert("pages".into(), n);
    let mut latency = loadcase::report::Histogram::default();
    latency.record(Duration::from_micros(first_us));
    report.series = vec![Second {
        t: 0,
        hits: n,
        requests: n,
        active_users: 3,
        latency: (&latency).into(),
        ..Second::default()
    }];
    report
}

fn environment() -> Environment {
    Environment {
        loadcase_version: "0.1.0".into(),
        hostname: "box".into(),
        os: "linux".into(),
        arch: "x86_64".into(),
        cpus: 2,
        git_commit: Some("abc123".into()),
        command_line: "cargo loadrun t::x -u 10:20 -c 3".into(),
    }
}

fn record(history: &mut History, report: &Report, exit_code: u8) -> i64 {
    history
        .record(&NewRun {
            test: &report.test,
            report,
            exit_code,
            verdicts: &[],
            environment: &environment(),
        })
        .unwrap()
}

#[test]
fn a_recorded_report_reloads_exactly() {
    let dir = TempDir::new("roundtrip");
    let mut history = History::open(&dir.file()).unwrap();
    let original = report("example::test_es", 1_764_000_000_123, 1_000, 37, 1000);
    let id = record(&mut history, &original, 1);
    let reopened = History::open_existing(&dir.file()).unwrap();
    assert_eq!(reopened.run(id).unwrap().report, original);

    // The columns hold the figures the summary would show.
    let figures = Figures::of(&original);
    let (hits, errors, requests, p95, code, command): (i64, i64, i64, f64, u8, String) = reopened
        .conn
        .query_row(
            "SELECT hits, errors, requests, p95_ms, exit_code, command_line FROM runs WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    assert_eq!((hits, errors, requests), (1000, 100, 1000));
    assert_eq!(p95, figures.overall.time.percentile("p95").unwrap());
    assert_eq!(code, 1);
    assert_eq!(command, environment().command_line);

    // Elapsed times of every shape come back bit for bit (serde_json's default float parsing
    // gets about one in ten of these 1 ULP off).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..100 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut r = report("t::x", 1_764_000_000_000, 100, 1, 2);
        r.elapsed_secs = (x >> 11) as f64 / (1u64 << 53) as f64 * 1000.0;
        let id = record(&mut history, &r, 0);
        assert_eq!(history.run(id).unwrap().report, r, "{}", r.elapsed_secs);
    }
}

#[test]
fn an_older_schema_is_migrated_and_keeps_its_runs() {
    let dir = TempDir::new("migrate");
    let old = report("example::test_es", 1_764_000_000_000, 500, 11, 100);
    {
        // Version 1 exactly as the first runner created it, written out here rather than taken
        // from the migrations, so that editing a released migration fails this test.
        let conn = Connection::open(dir.file()).unwrap();
        conn.execute_batch(
            "CREATE TABLE runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT, test TEXT NOT NULL,
                started_ms INTEGER NOT NULL, elapsed_secs REAL NOT NULL,
                interrupted INTEGER NOT NULL, exit_code INTEGER NOT NULL, plan TEXT,
                loadcase_version TEXT NOT NULL, hostname TEXT NOT NULL, os TEXT NOT NULL,
                arch TEXT NOT NULL, cpus INTEGER NOT NULL, git_commit TEXT,
                command_line TEXT NOT NULL, hits INTEGER NOT NULL, success INTEGER NOT NULL,
                errors INTEGER NOT NULL, failures INTEGER NOT NULL, cancelled INTEGER NOT NULL,
                requests INTEGER NOT NULL, request_errors INTEGER NOT NULL, rps REAL NOT NULL,
                hit_rate REAL NOT NULL, mean_ms REAL NOT NULL, p50_ms REAL NOT NULL,
                p90_ms REAL NOT NULL, p95_ms REAL NOT NULL, p99_ms REAL NOT NULL,
                max_ms REAL NOT NULL, report TEXT NOT NULL);
             PRAGMA user_version = 1;",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO runs VALUES (7, 'example::test_es', 1764000000000, 1.5, 0, 0, NULL,
                '0.1.0', 'box', 'linux', 'x86_64', 2, NULL, 'cargo loadrun', 100, 90, 10, 0, 0,
                100, 10, 66.6, 66.6, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, ?1)",
            [serde_json::to_string(&old).unwrap()],
        )
        .unwrap();
    }
    let mut history = History::open(&dir.file()).unwrap();
    assert_eq!(schema::version(&history.conn).unwrap(), schema::VERSION);
    assert_eq!(schema::VERSION, 2);
    assert_eq!(history.run(7).unwrap().report, old, "the old run is kept");
    let verdicts: String = history
        .conn
        .query_row("SELECT verdicts FROM runs WHERE id = 7", [], |r| r.get(0))
        .unwrap();
    assert_eq!(verdicts, "[]", "the new column has its default");
    let index: i64 = history
        .conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'runs_by_test'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 1);
    // New runs go on after the old ids.
    let next = record(&mut history, &old, 0);
    assert_eq!(next, 8);
    assert_eq!(history.latest("example::test_es").unwrap().unwrap().id, 8);
}

#[test]
fn a_newer_schema_is_refused_with_what_to_do() {
    let dir = TempDir::new("newer");
    Connection::open(dir.file())
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let error = History::open(&dir.file()).err().expect("refused");
    let message = error.to_string();
    assert!(
        matches!(error, HistoryError::Newer { found: 99, .. }),
        "{message}"
    );
    assert!(
        message.contains(&dir.file().display().to_string()),
        "{message}"
    );
    assert!(message.contains("update cargo-loadrun"), "{message}");
}

#[test]
fn a_garbage_file_is_an_error_naming_the_file_and_the_fix() {
    let dir = TempDir::new("garbage");
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(dir.file(), garbage).unwrap();
    for result in [
        History::open(&dir.file()),
        History::open_existing(&dir.file()),
    ] {
        let message = result
            .err()
            .expect("a garbage file does not open")
            .to_string();
        assert!(
            message.contains(&dir.file().display().to_string()),
            "{message}"
        );
        assert!(
            message.contains("is corrupt or not an SQLite database"),
            "{message}"
        );
        assert!(message.contains("move it aside"), "{message}");
        assert!(message.contains("--no-history"), "{message}");
    }
}

#[test]
fn a_missing_history_is_not_created_by_readers() {
    let dir = TempDir::new("missing");
    let error = History::open_existing(&dir.file()).err().unwrap();
    assert!(matches!(error, HistoryError::Missing { .. }), "{error}");
    assert!(!dir.file().exists());
    // Writers create it, directory included.
    let nested = dir.0.join("a/b/history.sqlite");
    History::open(&nested).unwrap();
    assert!(nested.exists());
}

#[test]
fn two_writers_at_once_lose_nothing() {
    let dir = TempDir::new("concurrent");
    let path = dir.file();
    let writers: Vec<_> = (0..2u64)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                // Each writer opens (and so may create and migrate) the file itself, as two
                // runners would.
                let mut history = History::open(&path).unwrap();
                for i in 0..50 {
                    let r = report("t::x", 1_764_000_000_000 + w * 1000 + i, 100, 3, 20);
                    record(&mut history, &r, 0);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let history = History::open_existing(&path).unwrap();
    let rows: i64 = history
        .conn
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 100);
    let check: String = history
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mode: String = history
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_history_locked_past_the_timeout_says_so() {
    let dir = TempDir::new("locked");
    let mut history = History::open(&dir.file()).unwrap();
    let holder = Connection::open(dir.file()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let r = report("t::x", 1_764_000_000_000, 100, 3, 5);
    let error = history
        .record(&NewRun {
            test: "t::x",
            report: &r,
            exit_code: 0,
            verdicts: &[],
            environment: &environment(),
        })
        .expect_err("the lock is held");
    assert!(started.elapsed() >= BUSY_TIMEOUT, "it waited for the lock");
    let message = error.to_string();
    assert!(message.contains("locked by another process"), "{message}");
    assert!(message.contains("wait for the other run"), "{message}");
    holder.execute_batch("ROLLBACK").unwrap();
    record(&mut history, &r, 0);
}

#[test]
fn runs_are_looked_up_by_test_and_id() {
    let dir = TempDir::new("lookup");
    let mut history = History::open(&dir.file()).unwrap();
    let first = record(
        &mut history,
        &report("example::test_es", 1000, 100, 1, 5),
        0,
    );
    let mut interrupted = report("example::test_es", 3000, 100, 1, 5);
    interrupted.interrupted = true;
    record(&mut history, &interrupted, 130);
    let other = record(
        &mut history,
        &report("exampleXtest_es::x", 4000, 100, 1, 5),
        0,
    );
    record(
        &mut history,
        &report("example::api::login", 2000, 100, 1, 5),
        0,
    );

    // `last` skips the interrupted run, and another test's later one.
    assert_eq!(
        history.latest("example::test_es").unwrap().unwrap().id,
        first
    );
    assert!(history.latest("nothing::here").unwrap().is_none());
    assert!(matches!(
        history.run(12345).err().unwrap(),
        HistoryError::NoSuchRun { id: 12345, .. }
    ));

    let ids = |test, limit| -> Vec<i64> {
        let listed = history.list(test, limit).unwrap();
        listed.iter().map(|r| r.id).collect()
    };
    assert_eq!(ids(None, 20), [other, 2, 4, first], "newest first");
    assert_eq!(ids(None, 2), [other, 2]);
    // A target matches its tests, and `_` is not a wildcard.
    assert_eq!(ids(Some("example"), 20), [2, 4, first]);
    assert_eq!(ids(Some("example::test_es"), 20), [2, first]);
    assert_eq!(ids(Some("exampl"), 20), Vec::<i64>::new());
    let listed = history.list(Some("example::api::login"), 1).unwrap();
    assert_eq!(
        listed[0]
            .plan
            .as_ref()
            .map(loadcase::Plan::options)
            .unwrap(),
        "-u 10:20 -c 3"
    );
    assert_eq!((listed[0].hits, listed[0].errors), (5, 0));
}

#[test]
fn periods_combine_runs_with_exact_percentiles() {
    let dir = TempDir::new("periods");
    let mut history = History::open(&dir.file()).unwrap();
    let day = 86_400_000;
    // Mid-month at noon UTC: 2026-01-15 and 2026-02-15.
    let january = 1_768_478_400_000;
    let february = january + 31 * day;
    // Three January runs with different spreads, one in February, one of another test.
    let runs = [
        report("t::x", january, 1_000, 17, 300),
        report("t::x", january + day, 40_000, 101, 200),
        report("t::x", january + 2 * day, 7, 3, 500),
        report("t::x", february, 9_000, 5, 100),
        report("t::y", january, 1, 1, 10),
    ];
    for r in &runs {
        record(&mut history, r, 0);
    }
    let mut periods = Periods::new();
    history
        .each_report(Some("t::x"), |_, r| {
            add_to_period(&mut periods, Period::Month, &chrono::Utc, &r)
        })
        .unwrap();
    let labels: Vec<_> = periods.keys().cloned().collect();
    assert_eq!(
        labels,
        [
            ("2026-01".to_owned(), "t::x".to_owned()),
            ("2026-02".to_owned(), "t::x".to_owned())
        ]
    );

    // One report holding every January sample: what the period's percentiles must equal.
    let mut all = Report::default();
    for r in &runs[..3] {
        for (name, stats) in &r.stats.requests {
            let row = all.stats.requests.entry(name.clone()).or_default();
            row.count += stats.count;
            row.errors += stats.errors;
            row.time.merge(&stats.time);
        }
    }
    let expected = Figures::of(&all).overall.time;
    let january_totals = &periods[&labels[0]];
    assert_eq!(january_totals.runs, 3);
    let got = january_totals.figures();
    assert_eq!(got.overall.time.percentiles, expected.percentiles);
    assert_eq!(got.overall.time.max_ms, expected.max_ms);
    assert_eq!(got.overall.count, 1000);
    assert_eq!(got.hits.total, 1000);
    assert_eq!(got.hits.errors, 100);
    let elapsed: f64 = runs[..3].iter().map(|r| r.elapsed_secs).sum();
    assert_eq!(got.overall.rps, 1000.0 / elapsed);

    let table = views::render_periods(&periods);
    assert!(table.starts_with("period "), "{table}");
    assert!(table.contains("2026-02  t::x     1   100"), "{table}");

    // Weeks and years label the same moments.
    assert_eq!(Period::Week.label(january as i64, &chrono::Utc), "2026-W03");
    assert_eq!(Period::Year.label(february as i64, &chrono::Utc), "2026");
}

#[test]
fn the_environment_says_where_and_how_a_run_ran() {
    let line = environment::command_line(
        [
            "loadrun",
            "example::test_es",
            "-u",
            "100",
            "--server-url",
            "http://x/it's",
        ]
        .map(String::from)
        .into_iter(),
    );
    assert_eq!(
        line,
        r"cargo loadrun example::test_es -u 100 --server-url 'http://x/it'\''s'"
    );
    // This repository is a git checkout; a directory that is none has no commit.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let here = Environment::current(root);
    assert!(here.cpus >= 1 && !here.os.is_empty() && !here.arch.is_empty());
    if root.join("../.git").exists() {
        assert_eq!(
            here.git_commit.as_ref().map(String::len),
            Some(40),
            "{here:?}"
        );
    }
    assert_eq!(Environment::current(Path::new("/")).git_commit, None);
}
