//! Durations in plans: parsed from `30s`, `2m`, `1h30m` or seconds, and serialized as seconds.

use std::time::Duration;

use crate::plan::error::{DurationProblem, PlanError, PlanField};

/// Parses `30s`, `2m`, `1h30m`, `500ms`, `1m 30s`, or a bare number of seconds (Loads' `-d 30`):
/// a length above zero and at most [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, DurationProblem> {
    let trimmed = text.trim();
    let duration = match trimmed.parse::<f64>() {
        Ok(secs) if secs >= 0.0 => {
            Duration::try_from_secs_f64(secs).map_err(|_| DurationProblem::TooLong)?
        }
        Ok(_) => return Err(DurationProblem::Malformed),
        Err(_) => humantime::parse_duration(trimmed).map_err(|_| DurationProblem::Malformed)?,
    };
    if duration.is_zero() {
        return Err(DurationProblem::Zero);
    }
    if duration > MAX_DURATION {
        return Err(DurationProblem::TooLong);
    }
    Ok(duration)
}

/// [`parse_duration`] of the option `field`, its problem told as a [`PlanError`].
pub(crate) fn parse_field(field: PlanField, text: &str) -> Result<Duration, PlanError> {
    parse_duration(text).map_err(|problem| PlanError::Duration {
        field,
        value: text.to_owned(),
        problem,
    })
}

/// The longest a stage may last: longer is a typo, and would overflow the clocks.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// Serde for a `Duration` as seconds.
pub(crate) mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_secs_f64(f64::deserialize(d)?))
    }
}

/// Serde for an `Option<Duration>` as seconds.
pub(crate) mod opt_secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.map(Duration::from_secs_f64))
    }
}
