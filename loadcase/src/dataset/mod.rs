//! Test data from CSV or JSON lines files: [`Dataset`] and [`dataset!`](crate::dataset!).
//!
//! A load test usually needs data — logins, product ids, search terms — and the same row sent by
//! every user tests a cache, not a service. Put the data in a file of your package, describe a
//! row with a `serde` struct, and take a row in each hit:
//!
//! ```no_run
//! use loadcase::prelude::*;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct User {
//!     email: String,
//!     password: String,
//! }
//!
//! // tests/data/users.csv, relative to the package's Cargo.toml:
//! //   email,password,name
//! //   ann@example.com,s3cret,Ann
//! //   bob@example.com,hunter2,Bob
//! static USERS: Dataset<User> = dataset!("tests/data/users.csv");
//!
//! #[load_test(server_url = "http://127.0.0.1:8080")]
//! async fn login(cx: &mut Context) -> TestResult {
//!     let user = USERS.next(cx)?;
//!     cx.app
//!         .post("/login")
//!         .form(&[("email", &user.email), ("password", &user.password)])
//!         .await?;
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! (`serde`, with its `derive` feature, goes in your `[dev-dependencies]` beside `loadcase`.)
//!
//! # Formats
//!
//! The extension says which:
//!
//! - **`.csv`**: a header row naming the columns, then one row per record. Each row deserializes
//!   into your struct by column name (the `csv` crate's rules: columns the struct does not name
//!   are ignored, `Option` fields take empty values as `None`). Quote a value that holds `,`, a
//!   quote (written `""` inside) or a line break.
//! - **`.jsonl`** or **`.ndjson`**: one JSON object per line, deserialized with `serde_json`, so
//!   fields may be nested objects or arrays; blank lines are skipped.
//!
//! ```no_run
//! # use loadcase::prelude::*;
//! # use serde::Deserialize;
//! #[derive(Deserialize)]
//! struct Product {
//!     id: u64,
//!     tags: Vec<String>,
//! }
//!
//! // {"id": 1, "tags": ["garden", "tools"]}
//! static PRODUCTS: Dataset<Product> = dataset!("tests/data/products.jsonl").random();
//! # fn main() {}
//! ```
//!
//! # Which row a hit gets
//!
//! One dataset is shared by every virtual user of the run; the strategy, chosen on the
//! `dataset!` expression, decides which row each [`next`](Dataset::next) hands out:
//!
//! | | |
//! | --- | --- |
//! | `dataset!(…)` | **round-robin** (the default): rows in file order across the whole run, one shared cursor for all users; after the last row, the first again |
//! | `dataset!(…).random()` | **random**: a row picked uniformly at random every time, so rows repeat |
//! | `dataset!(…).unique()` | **unique**: each row handed out once across the whole run, in file order; when all have been used, `next` returns [`DatasetError::Exhausted`] and the run stops (below) |
//! | `dataset!(…).unique().wrapping()` | **unique, then wrapping**: each row once until all have been used, then from the first again. It hands rows out in the very order round-robin does; what it adds is a counter in the summary, `data/users.csv wrapped`, of how many times it started over, so a run that had to reuse rows says so |
//!
//! A run of 10 users × 5 hits over a 50-row `.unique()` dataset sends each row exactly once.
//! Choosing two strategies (`.random().unique()`), or `.wrapping()` without `.unique()`, does not
//! compile: the builders are `const fn`s that reject it while the `static` is evaluated.
//!
//! # What is checked, and when
//!
//! While compiling, `dataset!` reads the file and checks its *structure*; each problem is a
//! compile error pointing at the `dataset!` and naming `file:line:column`, so `cargo test` and
//! `cargo loadrun` (which exits 2 on it) both stop before any load starts:
//!
//! - the file is missing or unreadable (the error gives the path as written, where it was looked
//!   for, and the package directory paths are relative to);
//! - the extension is not one of the above;
//! - CSV: an empty file, a header with an unnamed or twice-named column, a row with more or fewer
//!   fields than the header, a quote never closed, text after a closing quote;
//! - JSON lines: a line that is not valid JSON, or is JSON but not an object;
//! - no rows at all, or bytes that are not UTF-8.
//!
//! The file is embedded in the test binary (`include_bytes!`): editing it rebuilds the test, and
//! the binary needs no file when it runs, wherever it runs.
//!
//! Whether the values fit *your struct* — a column your struct needs but the header lacks, `abc`
//! in a `u32` field — can only be known when the rows are deserialized, which happens once, on
//! the first [`next`](Dataset::next) (or [`rows`](Dataset::rows)) of the run, for every row at
//! once. A row that does not fit makes that call, and every later one, return
//! [`DatasetError::Invalid`] naming `file:line:column` and the fix, e.g.
//!
//! ```text
//! tests/data/users.csv:3:17: column `age`: invalid digit found in string; the value does not fit the field for column `age` of `User`: fix the value, or change the field's type
//! ```
//!
//! and stops the run. Under `cargo test` the one functional hit fails with that message, which is
//! why running `cargo test` before a load catches these too.
//!
//! # Stopping the run
//!
//! When `next` returns an error under `cargo loadrun` (rows that do not fit, or a `.unique()`
//! dataset out of rows), it also stops the whole run: no new hits start, running hits finish,
//! and the summary says why. The hit that got the error ends with it through `?` (counted as an
//! error), so the run exits 1. Under `cargo test` there is nothing to stop; the error fails the
//! test.

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::de::DeserializeOwned;

use crate::context::Context;

pub(crate) mod error;
pub(crate) mod format;
mod parse;

pub use error::DatasetError;
pub use format::Format;

/// Rows of a CSV or JSON lines file embedded in the test binary, handed out to hits.
///
/// Made by [`dataset!`](crate::dataset!), in a `static`:
/// `static USERS: Dataset<User> = dataset!("data/users.csv");`. The file is parsed into `T`s once,
/// on the first [`next`](Self::next). See [the module](self) for formats, strategies and errors.
pub struct Dataset<T> {
    path: &'static str,
    bytes: &'static [u8],
    format: Format,
    len: usize,
    strategy: Strategy,
    cursor: AtomicUsize,
    rows: OnceLock<Result<Vec<T>, DatasetError>>,
}

/// How a [`Dataset`] picks the row each [`next`](Dataset::next) returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strategy {
    /// In file order across the run, then from the start again (the default).
    RoundRobin,
    /// Uniformly at random, each time.
    Random,
    /// Each row once across the run; then an error that stops the run.
    Unique,
    /// Each row once across the run; then from the start again, counted in the summary.
    UniqueWrapping,
}

impl<T> Dataset<T> {
    /// Used by `dataset!`, which has checked the file's structure and counted its rows.
    #[doc(hidden)]
    pub const fn __from_macro(
        path: &'static str,
        bytes: &'static [u8],
        format: Format,
        len: usize,
    ) -> Self {
        Dataset {
            path,
            bytes,
            format,
            len,
            strategy: Strategy::RoundRobin,
            cursor: AtomicUsize::new(0),
            rows: OnceLock::new(),
        }
    }

    /// Picks rows uniformly at random: `dataset!("data/terms.csv").random()`.
    pub const fn random(self) -> Self {
        self.choose(Strategy::Random)
    }

    /// Hands each row out once across the whole run; after the last, [`next`](Self::next)
    /// fails and stops the run. Add [`.wrapping()`](Self::wrapping) to start over instead.
    pub const fn unique(self) -> Self {
        self.choose(Strategy::Unique)
    }

    /// After `.unique()`: once every row has been used, starts over from the first (counting
    /// each restart in the summary) instead of failing.
    pub const fn wrapping(mut self) -> Self {
        match self.strategy {
            Strategy::Unique => {
                self.strategy = Strategy::UniqueWrapping;
                self
            }
            _ => panic!(
                "`.wrapping()` goes after `.unique()`: `dataset!(\"…\").unique().wrapping()`; round-robin (the default) and `.random()` reuse rows already"
            ),
        }
    }

    const fn choose(mut self, strategy: Strategy) -> Self {
        match self.strategy {
            Strategy::RoundRobin => {
                self.strategy = strategy;
                self
            }
            _ => panic!(
                "a dataset has one strategy: round-robin (the default), `.random()` or `.unique()`; keep one of them"
            ),
        }
    }

    /// The data file, as written in `dataset!`.
    pub const fn path(&self) -> &'static str {
        self.path
    }

    /// How many rows the file has (counted while compiling).
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the file has no rows; never, since `dataset!` rejects such a file.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The strategy rows are handed out by.
    pub const fn strategy(&self) -> Strategy {
        self.strategy
    }
}

impl<T: DeserializeOwned> Dataset<T> {
    /// The next row for this hit, as the strategy picks it.
    ///
    /// Fails when a row does not deserialize into `T` (every call then returns that error) and
    /// when a `.unique()` dataset is out of rows; in both cases it also stops the run (under
    /// `cargo loadrun`; under `cargo test` the error fails the test). With `?` in a
    /// [`TestResult`](crate::TestResult) test the error ends the hit.
    pub fn next(&self, cx: &Context) -> Result<&T, DatasetError> {
        let row = self.take(cx);
        if let Err(error) = &row {
            // No new hits, and the summary says why; nothing to stop under `cargo test`.
            cx.stop_run(error.to_string());
        }
        row
    }

    /// Every row, deserialized (on the first call of this or [`next`](Self::next)).
    pub fn rows(&self) -> Result<&[T], DatasetError> {
        let rows = self
            .rows
            .get_or_init(|| parse::rows(self.path, self.bytes, self.format));
        match rows {
            Ok(rows) => Ok(rows),
            Err(error) => Err(error.clone()),
        }
    }

    fn take(&self, cx: &Context) -> Result<&T, DatasetError> {
        let rows = self.rows()?;
        let len = rows.len();
        if len == 0 {
            return Err(DatasetError::Exhausted {
                path: self.path,
                rows: 0,
            });
        }
        let index = match self.strategy {
            Strategy::RoundRobin => self.cursor.fetch_add(1, Ordering::Relaxed) % len,
            Strategy::Random => fastrand::usize(..len),
            Strategy::Unique => {
                let index = self.cursor.fetch_add(1, Ordering::Relaxed);
                if index >= len {
                    return Err(DatasetError::Exhausted {
                        path: self.path,
                        rows: len,
                    });
                }
                index
            }
            Strategy::UniqueWrapping => {
                let taken = self.cursor.fetch_add(1, Ordering::Relaxed);
                if taken >= len && taken.is_multiple_of(len) {
                    cx.incr(&format!("{} wrapped", self.path));
                }
                taken % len
            }
        };
        Ok(&rows[index])
    }
}

impl<T> fmt::Debug for Dataset<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("len", &self.len)
            .field("strategy", &self.strategy)
            .finish_non_exhaustive()
    }
}
