//! A latency histogram in microseconds that serializes losslessly, so that reports written by
//! several processes can be merged into exact combined percentiles.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use serde::de::{self, Deserializer as SerdeDeserializer};
use serde::{Deserialize, Serialize, Serializer as SerdeSerializer};

/// Significant decimal digits kept: 3 means every recorded value is exact to 0.1 %.
const SIGNIFICANT_DIGITS: u8 = 3;

/// Durations in microseconds, HdrHistogram underneath (auto-resizing, 3 significant digits).
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
        let micros = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        // Auto-resizing grows the histogram to fit; `saturating_record` would clamp instead, so
        // it is only the fallback for values no histogram can hold.
        if self.0.record(micros.max(1)).is_err() {
            self.0.saturating_record(micros);
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
        Duration::from_micros(if self.is_empty() {
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
            self.0.mean() / 1e6
        })
    }

    /// The largest value (to the histogram's precision); zero when empty.
    pub fn max(&self) -> Duration {
        Duration::from_micros(if self.is_empty() { 0 } else { self.0.max() })
    }

    /// The smallest value (to the histogram's precision); zero when empty.
    pub fn min(&self) -> Duration {
        Duration::from_micros(if self.is_empty() { 0 } else { self.0.min() })
    }

    /// The population standard deviation; zero when empty.
    pub fn stddev(&self) -> Duration {
        Duration::from_secs_f64(if self.is_empty() {
            0.0
        } else {
            self.0.stdev() / 1e6
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
        serializer.serialize_str(&STANDARD.encode(&self.0))
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
        serializer.serialize_str(&STANDARD.encode(bytes))
    }
}

impl<'de> Deserialize<'de> for Histogram {
    fn deserialize<D: SerdeDeserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let bytes = STANDARD.decode(text).map_err(de::Error::custom)?;
        let mut histogram: hdrhistogram::Histogram<u64> = Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| de::Error::custom(format!("histogram: {e:?}")))?;
        histogram.auto(true);
        Ok(Histogram(histogram))
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
