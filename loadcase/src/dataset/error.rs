//! Why a dataset gave no row.

/// Why [`Dataset::next`](crate::Dataset::next) returned no row.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// A row does not deserialize into the dataset's type.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The data file, as written in `dataset!`.
        path: &'static str,
        /// The 1-based line of the problem.
        line: u64,
        /// The 1-based column of the problem, in characters.
        column: u64,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A `.unique()` dataset handed out every row it has.
    #[error(
        "all {rows} rows of {path} have been used (unique); give more rows, fewer hits, or `.unique().wrapping()`"
    )]
    Exhausted {
        /// The data file, as written in `dataset!`.
        path: &'static str,
        /// How many rows it has (of a plan split into segments, this segment's share of them).
        rows: usize,
    },
}
