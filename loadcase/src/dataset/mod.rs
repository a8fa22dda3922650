//! Test data from CSV or JSON lines files: [`Dataset`](crate::Dataset), made by
//! [`dataset!`](crate::dataset!) (whose documentation tells the whole story).
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
/// on the first [`next`](Self::next). See [`dataset!`](crate::dataset!) for formats, strategies and errors.
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
            // Of a plan split into segments, each segment hands out the rows it owns: every row
            // once across all of them.
            Strategy::Unique => {
                let taken = self.cursor.fetch_add(1, Ordering::Relaxed) as u64;
                let index = cx.segment().nth_owned(taken);
                if index >= len as u64 {
                    return Err(DatasetError::Exhausted {
                        path: self.path,
                        rows: cx.segment().share(len as u64) as usize,
                    });
                }
                index as usize
            }
            Strategy::UniqueWrapping => {
                let segment = cx.segment();
                let own = segment.share(len as u64);
                if own == 0 {
                    return Err(DatasetError::Exhausted {
                        path: self.path,
                        rows: 0,
                    });
                }
                let taken = self.cursor.fetch_add(1, Ordering::Relaxed) as u64;
                if taken >= own && taken.is_multiple_of(own) {
                    cx.incr(&format!("{} wrapped", self.path));
                }
                segment.nth_owned(taken % own) as usize
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
