//! Thresholds: pass/fail criteria over a run's figures, for CI.
//!
//! `[REQUEST NAME:] METRIC OP VALUE`, e.g. `p95<200ms`, `error_rate<1%`, `rps>500`,
//! `GET /login: p99<1s`.

use serde::{Deserialize, Serialize};

/// A threshold checked against a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The threshold as written.
    pub threshold: String,
    /// The measured value, formatted in the threshold's unit (`"183.2 ms"`, `"0.4 %"`), or why
    /// there is none (`"no requests named GET /x"`).
    pub measured: String,
    /// Whether the run met it. A threshold over data the run does not have is not met.
    pub passed: bool,
}
