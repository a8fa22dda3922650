//! The run history's file: every run recorded in an SQLite file of the workspace, by default
//! `<workspace root>/.loadcase/history.sqlite`, for `cargo loadrun history` and `--compare`.
//!
//! Several runners may share the file at once (two terminals, parallel CI jobs): it is in WAL
//! mode, so readers never wait for a writer; writers take the lock up front (`BEGIN IMMEDIATE`)
//! and wait for each other up to [`BUSY_TIMEOUT`]; each run is one transaction, so a run is
//! recorded whole or not at all.

use std::path::{Path, PathBuf};
use std::time::Duration;

use loadcase::Report;
use loadcase::report::Figures;
use loadcase::report::Verdict;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

use super::environment::Environment;
use super::{permissions, schema, views};

/// Where the history is, relative to the workspace root, unless `--history` says otherwise.
pub const DEFAULT_FILE: &str = ".loadcase/history.sqlite";

/// How long a runner waits for another one holding the write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The history of the workspace at `root`, where it is unless `--history` moves it.
pub fn default_path(root: &Path) -> PathBuf {
    root.join(DEFAULT_FILE)
}

/// Why the history could not be used. Each message names the file and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// It or its directory could not be created, or made owner-only.
    #[error(
        "cannot create the run history {} owner-only, or its directory: {source}; pass --history PATH or --no-history",
        path.display()
    )]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    /// SQLite refused: a corrupt or foreign file, a lock held too long, a read-only place.
    #[error("the run history {} {}: {source}; {}", path.display(), problem(source), fix(source))]
    Database {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// Written by a newer runner.
    #[error(
        "the run history {} has schema version {found}, newer than this cargo-loadrun knows ({known}); update cargo-loadrun, or pass --history PATH / --no-history",
        path.display()
    )]
    Newer {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    /// Reading from a history that does not exist yet.
    #[error("no run history at {}: nothing has been recorded there yet", path.display())]
    Missing { path: PathBuf },
    /// `--compare RUN_ID` with an id that is not there.
    #[error("no run #{id} in the run history {}; `cargo loadrun history` lists the runs", path.display())]
    NoSuchRun { path: PathBuf, id: i64 },
    /// A stored report that does not parse (edited by hand, or a future format).
    #[error("run #{id} in the run history {}: its report does not parse: {source}", path.display())]
    BadReport {
        path: PathBuf,
        id: i64,
        source: serde_json::Error,
    },
    /// A report that cannot be turned into JSON (a histogram that fails to encode).
    #[error("cannot encode the report for the run history: {0}")]
    Encode(serde_json::Error),
}

fn problem(error: &rusqlite::Error) -> &'static str {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            "is corrupt or not an SQLite database"
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "stayed locked by another process for more than 5 s"
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            "cannot be opened for writing"
        }
        Some(ErrorCode::DiskFull) => "is on a full disk",
        _ => "could not be read or written",
    }
}

fn fix(error: &rusqlite::Error) -> &'static str {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "wait for the other run to finish, or pass --history PATH / --no-history"
        }
        _ => "move it aside, or pass --history PATH / --no-history",
    }
}

/// A run to record: its final report, the exit code it ended with, and where it ran.
pub struct NewRun<'a> {
    /// The test as the command line names it (`example::test_es`), which `history TEST` and
    /// `--compare last` look up; the report's own name can differ (a hyphen in a target name
    /// is an underscore in its module path).
    pub test: &'a str,
    pub report: &'a Report,
    pub exit_code: u8,
    pub verdicts: &'a [Verdict],
    pub environment: &'a Environment,
}

/// A recorded run, reloaded.
#[derive(Debug)]
pub struct StoredRun {
    pub id: i64,
    pub report: Report,
}

/// An open history file.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Opens the history at `path` for recording, creating it (and its directory) if needed,
    /// owner-only, and migrating it to the current layout.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        permissions::prepare(path).map_err(|source| HistoryError::Directory {
            path: path.to_owned(),
            source,
        })?;
        Self::connect(path, OpenFlags::default())
    }

    /// Opens an existing history for reading (`history`, `--compare`): a path with nothing
    /// there is [`HistoryError::Missing`], not a new empty file.
    pub fn open_existing(path: &Path) -> Result<History, HistoryError> {
        if !path.exists() {
            return Err(HistoryError::Missing {
                path: path.to_owned(),
            });
        }
        // An older runner's file is made owner-only here too; one a reader may not change is
        // still read.
        let _ = permissions::prepare(path);
        // Read-write still: an older file is migrated before its new columns are read.
        Self::connect(path, OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE)
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<History, HistoryError> {
        let db = |source| HistoryError::Database {
            path: path.to_owned(),
            source,
        };
        let mut conn = Connection::open_with_flags(path, flags).map_err(db)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        // The first statement that reads the file: a foreign or corrupt one fails here. WAL is
        // persistent, so after the first runner this is a no-op. Switching a new file to it
        // needs the file to itself, and SQLite answers "busy" at once rather than through the
        // busy timeout when another runner opens it at that moment: try again, as long.
        let waited = std::time::Instant::now();
        loop {
            match conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(())) {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && waited.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                result => break result.map_err(db)?,
            }
        }
        match schema::migrate(&mut conn).map_err(db)? {
            Ok(()) => Ok(History {
                conn,
                path: path.to_owned(),
            }),
            Err(schema::Outdated::Newer(found)) => Err(HistoryError::Newer {
                path: path.to_owned(),
                found,
                known: schema::VERSION,
            }),
        }
    }

    fn db(&self) -> impl Fn(rusqlite::Error) -> HistoryError + '_ {
        |source| HistoryError::Database {
            path: self.path.clone(),
            source,
        }
    }

    /// Records a run in one transaction and returns its id.
    pub fn record(&mut self, run: &NewRun<'_>) -> Result<i64, HistoryError> {
        let report = run.report;
        let json = serde_json::to_string(report).map_err(HistoryError::Encode)?;
        let plan = report
            .plan
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(HistoryError::Encode)?;
        let verdicts = serde_json::to_string(run.verdicts).map_err(HistoryError::Encode)?;
        let figures = Figures::of(report);
        let all = &figures.overall;
        let time = &all.time;
        let pct = |label| time.percentile(label).unwrap_or(0.0);
        let env = run.environment;
        let path = self.path.clone();
        let db = move |source| HistoryError::Database {
            path: path.clone(),
            source,
        };
        // IMMEDIATE: take the write lock now, waiting for other writers, rather than fail on
        // upgrading a read lock, which SQLite does not retry.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&db)?;
        tx.execute(
            "INSERT INTO runs (test, started_ms, elapsed_secs, interrupted, exit_code, plan,
                loadcase_version, hostname, os, arch, cpus, git_commit, command_line,
                hits, success, errors, failures, cancelled, requests, request_errors,
                rps, hit_rate, mean_ms, p50_ms, p90_ms, p95_ms, p99_ms, max_ms, verdicts, report)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
            params![
                run.test,
                report.started_unix_ms as i64,
                report.elapsed_secs,
                report.interrupted,
                run.exit_code,
                plan,
                env.loadcase_version,
                env.hostname,
                env.os,
                env.arch,
                env.cpus,
                env.git_commit,
                env.command_line,
                figures.hits.total as i64,
                figures.hits.success as i64,
                figures.hits.errors as i64,
                figures.hits.failures as i64,
                figures.hits.cancelled as i64,
                all.count as i64,
                all.errors as i64,
                all.rps,
                figures.hits.rate,
                time.mean_ms,
                pct("p50"),
                pct("p90"),
                pct("p95"),
                pct("p99"),
                time.max_ms,
                verdicts,
                json,
            ],
        )
        .map_err(&db)?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(&db)?;
        Ok(id)
    }

    /// Run `id`, with its report.
    pub fn run(&self, id: i64) -> Result<StoredRun, HistoryError> {
        self.one("WHERE id = ?1", params![id])?
            .ok_or_else(|| HistoryError::NoSuchRun {
                path: self.path.clone(),
                id,
            })
    }

    /// The latest complete run of `test` (interrupted runs ran only part of their plan, so
    /// they make poor baselines).
    pub fn latest(&self, test: &str) -> Result<Option<StoredRun>, HistoryError> {
        self.one(
            "WHERE test = ?1 AND NOT interrupted ORDER BY started_ms DESC, id DESC LIMIT 1",
            params![test],
        )
    }

    fn one(
        &self,
        clause: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<StoredRun>, HistoryError> {
        let sql = format!("SELECT id, report FROM runs {clause}");
        let row = self
            .conn
            .query_row(&sql, params, |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })
            .optional()
            .map_err(self.db())?;
        row.map(|(id, json)| {
            Ok(StoredRun {
                id,
                report: self.parse(id, &json)?,
            })
        })
        .transpose()
    }

    fn parse(&self, id: i64, json: &str) -> Result<Report, HistoryError> {
        serde_json::from_str(json).map_err(|source| HistoryError::BadReport {
            path: self.path.clone(),
            id,
            source,
        })
    }

    /// The last `limit` runs of `test` (`None`: of every test), newest first.
    pub fn list(
        &self,
        test: Option<&str>,
        limit: usize,
    ) -> Result<Vec<views::Listed>, HistoryError> {
        let sql = format!(
            "SELECT id, started_ms, test, plan, hits, rps, p95_ms, errors + failures, exit_code
             FROM runs WHERE {TEST_FILTER} ORDER BY started_ms DESC, id DESC LIMIT ?2"
        );
        let mut statement = self.conn.prepare(&sql).map_err(self.db())?;
        let rows = statement
            .query_map(
                params![test, i64::try_from(limit).unwrap_or(i64::MAX)],
                |row| {
                    Ok(views::Listed {
                        id: row.get(0)?,
                        started_ms: row.get(1)?,
                        test: row.get(2)?,
                        // A plan that does not parse is shown as unknown rather than hiding the run.
                        plan: row
                            .get::<_, Option<String>>(3)?
                            .and_then(|p| serde_json::from_str(&p).ok()),
                        hits: row.get::<_, i64>(4)? as u64,
                        rps: row.get(5)?,
                        p95_ms: row.get(6)?,
                        errors: row.get::<_, i64>(7)? as u64,
                        exit_code: row.get(8)?,
                    })
                },
            )
            .map_err(self.db())?;
        rows.collect::<Result<_, _>>().map_err(self.db())
    }

    /// Calls `each` with every run of `test` (`None`: of every test), oldest first, one report
    /// in memory at a time.
    pub fn each_report(
        &self,
        test: Option<&str>,
        mut each: impl FnMut(i64, Report),
    ) -> Result<(), HistoryError> {
        let sql = format!(
            "SELECT id, report FROM runs WHERE {TEST_FILTER} ORDER BY started_ms, id LIMIT ?2"
        );
        let mut statement = self.conn.prepare(&sql).map_err(self.db())?;
        let mut rows = statement.query(params![test, -1]).map_err(self.db())?;
        while let Some(row) = rows.next().map_err(self.db())? {
            let id: i64 = row.get(0).map_err(self.db())?;
            let json: String = row.get(1).map_err(self.db())?;
            each(id, self.parse(id, &json)?);
        }
        Ok(())
    }
}

/// `?1` is a test to filter on, or NULL for all: `example` matches `example::test_es` and
/// `example::api::login`. Not `LIKE`, whose `_` would match any character.
const TEST_FILTER: &str =
    "(?1 IS NULL OR test = ?1 OR substr(test, 1, length(?1) + 2) = ?1 || '::')";

#[cfg(test)]
mod tests;
