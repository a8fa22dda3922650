//! A latency histogram in nanoseconds that serializes losslessly, so that reports written by
//! several processes can be merged into exact combined percentiles. Reports of schema 2 and
//! older held microseconds; they still read, their values scaled to nanoseconds.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use serde::de::{self, Deserializer as SerdeDeserializer};
use serde::{Deserialize, Serialize, Serializer as SerdeSerializer};

/// Significant decimal digits kept: 3 means every recorded value is exact to 0.1 %.
const SIGNIFICANT_DIGITS: u8 = 3;

/// Durations in nanoseconds, HdrHistogram underneath (auto-resizing, 3 significant digits): a
/// 150 µs loopback request is kept as 149.9 µs or 150.0 µs, not truncated to whole microseconds.
#[derive(Clone)]
pub struct Histogram(hdrhistogram::Histogram<u64>);

impl Default for Histogram {
    fn default() -> Self {
        Histogram(hdrhistogram::Histogram::new(SIGNIFICANT_DIGITS).expect("3 digits is valid"))
    }
}

impl Histogram {
    /// Records one duration.
    pub fn record(&mut self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        // Auto-resizing grows the histogram to fit; `saturating_record` would clamp instead, so
        // it is only the fallback for values no histogram can hold.
        if self.0.record(nanos.max(1)).is_err() {
            self.0.saturating_record(nanos);
        }
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        self.0
            .add(&other.0)
            .expect("auto-resizing histograms always accept each other");
    }

    /// How many values were recorded.
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value at a quantile in `0.0..=1.0`; zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        Duration::from_nanos(if self.is_empty() {
            0
        } else {
            self.0.value_at_quantile(q)
        })
    }

    /// The arithmetic mean; zero when empty.
    pub fn mean(&self) -> Duration {
        Duration::from_secs_f64(if self.is_empty() {
            0.0
        } else {
            self.0.mean() / 1e9
        })
    }

    /// The largest value (to the histogram's precision); zero when empty.
    pub fn max(&self) -> Duration {
        Duration::from_nanos(if self.is_empty() { 0 } else { self.0.max() })
    }

    /// The smallest value (to the histogram's precision); zero when empty.
    pub fn min(&self) -> Duration {
        Duration::from_nanos(if self.is_empty() { 0 } else { self.0.min() })
    }

    /// How many recorded values are at most `bound` (to the histogram's precision): a
    /// cumulative bucket, as Prometheus's `_bucket{le}` counts, which add up across processes.
    pub fn count_at_most(&self, bound: Duration) -> u64 {
        let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
        if self.is_empty() {
            return 0;
        }
        if nanos >= self.0.max() {
            return self.len();
        }
        self.0.count_between(0, nanos)
    }

    /// The sum of every recorded value (each at its bucket's middle, as HdrHistogram's mean
    /// counts it): Prometheus's `_sum`.
    pub fn sum(&self) -> Duration {
        Duration::from_secs_f64(self.mean().as_secs_f64() * self.len() as f64)
    }

    /// The population standard deviation; zero when empty.
    pub fn stddev(&self) -> Duration {
        Duration::from_secs_f64(if self.is_empty() {
            0.0
        } else {
            self.0.stdev() / 1e9
        })
    }
}

/// A [`Histogram`] kept compressed (HdrHistogram V2 + deflate, a few hundred bytes instead of
/// tens of KiB): what a run keeps for each second of its series, so that an hour-long run holds
/// an hour of exact per-second percentiles in about a megabyte. Serializes as `Histogram` does.
#[derive(Clone, Default)]
pub struct PackedHistogram(Vec<u8>);

impl PackedHistogram {
    /// Compresses `histogram`.
    pub fn pack(histogram: &Histogram) -> PackedHistogram {
        if histogram.is_empty() {
            return PackedHistogram::default();
        }
        let mut bytes = Vec::new();
        V2DeflateSerializer::new()
            .serialize(&histogram.0, &mut bytes)
            .expect("serializing into memory cannot fail");
        PackedHistogram(bytes)
    }

    /// The histogram back, exactly.
    pub fn unpack(&self) -> Histogram {
        if self.0.is_empty() {
            return Histogram::default();
        }
        let mut histogram: hdrhistogram::Histogram<u64> = Deserializer::new()
            .deserialize(&mut self.0.as_slice())
            .expect("packed by pack()");
        histogram.auto(true);
        Histogram(histogram)
    }

    /// Adds every value of `other` (unpacks, merges, packs again).
    pub fn merge(&mut self, other: &Histogram) {
        if other.is_empty() {
            return;
        }
        let mut ours = self.unpack();
        ours.merge(other);
        *self = PackedHistogram::pack(&ours);
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Bytes held.
    pub fn packed_len(&self) -> usize {
        self.0.len()
    }
}

impl From<&Histogram> for PackedHistogram {
    fn from(histogram: &Histogram) -> Self {
        PackedHistogram::pack(histogram)
    }
}

impl PartialEq for PackedHistogram {
    fn eq(&self, other: &Self) -> bool {
        // The same values may pack to other bytes (the header holds the grown range).
        self.unpack() == other.unpack()
    }
}

impl fmt::Debug for PackedHistogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.unpack().fmt(f)
    }
}

impl Serialize for PackedHistogram {
    fn serialize<S: SerdeSerializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.is_empty() {
            return Histogram::default().serialize(serializer);
        }
        serializer.serialize_str(&format!("{NANOS}{}", STANDARD.encode(&self.0)))
    }
}

impl<'de> Deserialize<'de> for PackedHistogram {
    fn deserialize<D: SerdeDeserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(PackedHistogram::pack(&Histogram::deserialize(
            deserializer,
        )?))
    }
}

impl PartialEq for Histogram {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl fmt::Debug for Histogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Histogram")
            .field("len", &self.len())
            .field("p50", &self.quantile(0.5))
            .field("max", &self.max())
            .finish()
    }
}

impl Serialize for Histogram {
    fn serialize<S: SerdeSerializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::new();
        V2DeflateSerializer::new()
            .serialize(&self.0, &mut bytes)
            .map_err(|e| serde::ser::Error::custom(format!("histogram: {e:?}")))?;
        serializer.serialize_str(&format!("{NANOS}{}", STANDARD.encode(bytes)))
    }
}

/// What a serialized histogram in nanoseconds starts with. A plain base64 text (which never has
/// a `:`) is a histogram in microseconds, as report schema 2 and older wrote them.
const NANOS: &str = "ns:";

impl<'de> Deserialize<'de> for Histogram {
    fn deserialize<D: SerdeDeserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let (encoded, in_micros) = match text.strip_prefix(NANOS) {
            Some(encoded) => (encoded, false),
            None => (text.as_str(), true),
        };
        let bytes = STANDARD.decode(encoded).map_err(de::Error::custom)?;
        let mut histogram: hdrhistogram::Histogram<u64> = Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| de::Error::custom(format!("histogram: {e:?}")))?;
        histogram.auto(true);
        Ok(if in_micros {
            Histogram::from_micros(&histogram)
        } else {
            Histogram(histogram)
        })
    }
}

impl Histogram {
    /// A histogram of microseconds (report schema 2) in nanoseconds: each recorded value, as the
    /// histogram reads it back (its bucket's highest equivalent value), times 1000.
    fn from_micros(micros: &hdrhistogram::Histogram<u64>) -> Histogram {
        let mut nanos = Histogram::default();
        for value in micros.iter_recorded() {
            let at = value.value_iterated_to().saturating_mul(1000);
            if nanos.0.record_n(at, value.count_at_value()).is_err() {
                nanos.0.saturating_record_n(at, value.count_at_value());
            }
        }
        nanos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_quantile(sorted: &[u64], q: f64) -> u64 {
        // HdrHistogram's definition: the smallest value with at least q of all values at or below.
        let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
        sorted[rank - 1]
    }

    #[test]
    fn quantiles_match_a_sort_within_precision() {
        let mut h = Histogram::default();
        let mut values: Vec<u64> = (0..10_000u64).map(|i| 50 + (i * 7919) % 900_000).collect();
        for &v in &values {
            h.record(Duration::from_micros(v));
        }
        values.sort_unstable();
        for q in [0.01, 0.25, 0.5, 0.9, 0.99, 0.999] {
            let exact = sorted_quantile(&values, q) as f64;
            let got = h.quantile(q).as_micros() as f64;
            assert!(
                (got - exact).abs() <= exact * 0.001 + 1.0,
                "q={q}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn serde_round_trip_is_lossless() {
        let mut h = Histogram::default();
        for v in [1u64, 10, 100, 1_000, 1_000_000, 30_000_000] {
            h.record(Duration::from_micros(v));
        }
        let json = serde_json::to_string(&h).unwrap();
        let back: Histogram = serde_json::from_str(&json).unwrap();
        assert_eq!(back, h);
        let mut grown = back.clone();
        grown.record(Duration::from_secs(7200));
        assert_eq!(grown.len(), 7);
    }

    #[test]
    fn packing_is_lossless_and_small() {
        let mut h = Histogram::default();
        for i in 0..5_000u64 {
            h.record(Duration::from_micros(200 + (i * 7919) % 2_000_000));
        }
        let packed = PackedHistogram::pack(&h);
        assert_eq!(packed.unpack(), h);
        assert!(
            packed.packed_len() < 16 * 1024,
            "{} bytes",
            packed.packed_len()
        );
        let json = serde_json::to_string(&packed).unwrap();
        assert_eq!(serde_json::from_str::<Histogram>(&json).unwrap(), h);
        let mut grown = PackedHistogram::default();
        grown.merge(&h);
        grown.merge(&h);
        assert_eq!(grown.unpack().len(), 10_000);
        assert!(PackedHistogram::default().unpack().is_empty());
    }

    #[test]
    fn sub_microsecond_differences_are_kept() {
        let mut h = Histogram::default();
        h.record(Duration::from_nanos(149_800));
        assert_eq!(
            h.quantile(0.5).as_nanos() / 100,
            1498,
            "{:?}",
            h.quantile(0.5)
        );
    }

    #[test]
    fn histograms_in_microseconds_of_older_reports_read_as_nanoseconds() {
        // As schema 2 wrote them: microseconds, plain base64.
        let mut micros = hdrhistogram::Histogram::<u64>::new(SIGNIFICANT_DIGITS).unwrap();
        for v in [150u64, 2_000, 2_000, 1_000_000] {
            micros.record(v).unwrap();
        }
        let mut bytes = Vec::new();
        V2DeflateSerializer::new()
            .serialize(&micros, &mut bytes)
            .unwrap();
        let json = serde_json::to_string(&STANDARD.encode(bytes)).unwrap();
        let old: Histogram = serde_json::from_str(&json).unwrap();
        assert_eq!(old.len(), 4);
        // Each to the histogram's precision, 0.1 %.
        let near = |got: Duration, want: Duration| {
            let (got, want) = (got.as_secs_f64(), want.as_secs_f64());
            assert!((got - want).abs() <= want * 0.001, "{got} vs {want}");
        };
        near(old.min(), Duration::from_micros(150));
        near(old.quantile(0.5), Duration::from_millis(2));
        near(old.max(), Duration::from_secs(1));
        // And it merges with a new one.
        let mut new = Histogram::default();
        new.record(Duration::from_micros(150));
        new.merge(&old);
        assert_eq!(new.len(), 5);
        near(new.min(), Duration::from_micros(150));
        // Written again, it is in nanoseconds.
        assert!(serde_json::to_string(&new).unwrap().starts_with("\"ns:"));
    }

    #[test]
    fn cumulative_buckets_count_what_is_at_most_each_bound() {
        let mut h = Histogram::default();
        for ms in [1u64, 2, 2, 5, 10, 100] {
            h.record(Duration::from_millis(ms));
        }
        let le = |ms| h.count_at_most(Duration::from_millis(ms));
        assert_eq!(
            [le(0), le(1), le(2), le(4), le(5), le(50), le(1000)],
            [0, 1, 3, 3, 4, 5, 6]
        );
        assert_eq!(Histogram::default().count_at_most(Duration::MAX), 0);
        let sum = h.sum().as_secs_f64();
        assert!((sum - 0.120).abs() < 0.001, "{sum}");
    }

    #[test]
    fn merge_equals_recording_everything_once() {
        let (mut a, mut b, mut all) = (
            Histogram::default(),
            Histogram::default(),
            Histogram::default(),
        );
        for i in 0..1000u64 {
            let d = Duration::from_micros(i * i);
            if i % 2 == 0 {
                a.record(d)
            } else {
                b.record(d)
            }
            all.record(d);
        }
        a.merge(&b);
        assert_eq!(a, all);
    }
}
