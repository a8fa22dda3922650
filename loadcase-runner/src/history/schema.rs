//! The history's tables and their migrations, versioned by SQLite's `PRAGMA user_version`.
//!
//! Each entry of [`MIGRATIONS`] takes the database from the version before it to its own; a
//! database is brought up to date when it is opened, in one immediate transaction, so that two
//! runners opening an old (or new, empty) file at once migrate it once between them. Released
//! migrations are never edited: a change of layout is a new entry at the end.

use rusqlite::{Connection, TransactionBehavior};

/// The version this runner writes: the number of migrations.
pub const VERSION: u32 = MIGRATIONS.len() as u32;

/// Migration `i` takes the database from version `i` to version `i + 1`.
const MIGRATIONS: [&str; 2] = [
    // 1: one row per run. The figures people sort and filter by are columns; the whole report
    // (histograms included) is kept as JSON so that any run can be reloaded and merged exactly.
    // AUTOINCREMENT so that an id, once printed, never names another run after a deletion.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        test TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        elapsed_secs REAL NOT NULL,
        interrupted INTEGER NOT NULL,
        exit_code INTEGER NOT NULL,
        plan TEXT,
        loadcase_version TEXT NOT NULL,
        hostname TEXT NOT NULL,
        os TEXT NOT NULL,
        arch TEXT NOT NULL,
        cpus INTEGER NOT NULL,
        git_commit TEXT,
        command_line TEXT NOT NULL,
        hits INTEGER NOT NULL,
        success INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        failures INTEGER NOT NULL,
        cancelled INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        request_errors INTEGER NOT NULL,
        rps REAL NOT NULL,
        hit_rate REAL NOT NULL,
        mean_ms REAL NOT NULL,
        p50_ms REAL NOT NULL,
        p90_ms REAL NOT NULL,
        p95_ms REAL NOT NULL,
        p99_ms REAL NOT NULL,
        max_ms REAL NOT NULL,
        report TEXT NOT NULL
    );",
    // 2: threshold verdicts, and an index for `--compare last` and `history TEST`, which look
    // runs up by test and start. Both ship with the first release; keeping them a step of their
    // own means the upgrade path is exercised (and tested) from the start.
    "ALTER TABLE runs ADD COLUMN verdicts TEXT NOT NULL DEFAULT '[]';
     CREATE INDEX runs_by_test ON runs (test, started_ms);",
];

/// What the database's version says about it, when it cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum Outdated {
    /// Written by a newer runner, whose layout this one does not know.
    Newer(u32),
}

/// Brings the database up to [`VERSION`]. Returns `Ok(Err(..))` when the file is newer than
/// this runner.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Result<(), Outdated>> {
    // Read first without a write lock: the common case is a database already up to date, and a
    // reader should not wait on a writer for nothing.
    let current = version(conn)?;
    if current == VERSION {
        return Ok(Ok(()));
    }
    if current > VERSION {
        return Ok(Err(Outdated::Newer(current)));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another runner may have migrated between the read above and the lock.
    let current = version(&tx)?;
    if current > VERSION {
        return Ok(Err(Outdated::Newer(current)));
    }
    for migration in &MIGRATIONS[current as usize..] {
        tx.execute_batch(migration)?;
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(Ok(()))
}

/// The database's `user_version`: 0 for a new file.
pub fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}
