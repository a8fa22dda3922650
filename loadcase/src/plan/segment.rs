//! Splitting one plan across several processes: the `K/N` segment a process runs, and which of
//! the plan's items — users of a stage, arrivals of the open model, rows of a unique dataset —
//! it owns. k6's execution-segment arithmetic (`ScaleInt64`): the union of the segments is
//! exactly the plan, and each segment's share of any count is within one of an even split.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The `K`th of `N` equal segments of a plan (`--segment 2/3`), `K` from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Segment {
    /// Which segment, from 1.
    pub index: u32,
    /// How many there are.
    pub count: u32,
}

/// A segment that is not `K/N` with `1 ≤ K ≤ N`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a segment; write K/N with 1 ≤ K ≤ N, e.g. --segment 2/3 for the second of three"
)]
pub struct SegmentError(pub String);

impl Segment {
    /// The `index`th (from 1) of `count` segments.
    pub fn new(index: u32, count: u32) -> Result<Segment, SegmentError> {
        if count == 0 || index == 0 || index > count {
            return Err(SegmentError(format!("{index}/{count}")));
        }
        Ok(Segment { index, count })
    }

    /// The whole plan: the one segment of one.
    pub const WHOLE: Segment = Segment { index: 1, count: 1 };

    /// Whether this segment owns item `i` (0-based) of a sequence: user `i` of a stage, arrival
    /// `i` of the open model, row `i` of a dataset.
    pub fn owns(&self, i: u64) -> bool {
        i % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// How many of the first `total` items this segment owns: `⌊total/N⌋ + [K − 1 < total mod N]`.
    /// The shares of all segments add up to `total`, and never decrease as `total` grows.
    pub fn share(&self, total: u64) -> u64 {
        let n = u64::from(self.count);
        total / n + u64::from(u64::from(self.index - 1) < total % n)
    }

    /// The `j`th (0-based) item this segment owns.
    pub fn nth_owned(&self, j: u64) -> u64 {
        j * u64::from(self.count) + u64::from(self.index - 1)
    }

    /// Whether this is the whole plan.
    pub fn is_whole(&self) -> bool {
        self.count == 1
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Segment {
    type Err = SegmentError;

    fn from_str(text: &str) -> Result<Segment, SegmentError> {
        let bad = || SegmentError(text.to_owned());
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let k = k.trim().parse::<u32>().map_err(|_| bad())?;
        let n = n.trim().parse::<u32>().map_err(|_| bad())?;
        Segment::new(k, n).map_err(|_| bad())
    }
}

/// k6's general rule, for a sequence of segments of any lengths (`0, .3, .5, …, 1`), as exact
/// fractions: which segment owns each item. loadcase's segments are equal parts, for which this
/// is [`Segment::owns`]; it is kept to check that against k6's published cases.
#[cfg(test)]
pub(crate) fn owners(bounds: &[(u64, u64)], items: u64) -> Vec<usize> {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    // Each segment's length as a fraction in lowest terms.
    let lengths: Vec<(u64, u64)> = bounds
        .windows(2)
        .map(|w| {
            let ((a, ad), (b, bd)) = (w[0], w[1]);
            let (num, den) = (b * ad - a * bd, ad * bd);
            let g = gcd(num, den);
            (num / g, den / g)
        })
        .collect();
    // 1. L: the least common multiple of the denominators.
    let l = lengths.iter().fold(1, |l, &(_, d)| l / gcd(l, d) * d);
    // 2. Segment s gets m_s = len_s · L items per block of L.
    let m: Vec<u64> = lengths.iter().map(|&(num, den)| num * (l / den)).collect();
    // 3. Largest m first; ties keep their order.
    let mut order: Vec<usize> = (0..m.len()).collect();
    order.sort_by(|&a, &b| m[b].cmp(&m[a]));
    // 4. Item i goes to the first segment in that order with i · m_s ≥ c_s · L.
    let mut counts = vec![0u64; m.len()];
    let block: Vec<usize> = (0..l)
        .map(|i| {
            let s = *order
                .iter()
                .find(|&&s| i * m[s] >= counts[s] * l)
                .expect("the m_s add up to L");
            counts[s] += 1;
            s
        })
        .collect();
    (0..items).map(|i| block[(i % l) as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_follow_k6s_vectors() {
        let shares = |total, n| -> Vec<u64> {
            (1..=n)
                .map(|k| Segment::new(k, n).unwrap().share(total))
                .collect()
        };
        assert_eq!(shares(100, 3), [34, 33, 33]);
        assert_eq!(shares(7, 5), [2, 2, 1, 1, 1]);
        assert_eq!(shares(0, 4), [0, 0, 0, 0]);
        assert_eq!(shares(2, 5), [1, 1, 0, 0, 0]);
    }

    #[test]
    fn the_union_of_the_segments_is_every_item_once() {
        for n in 1..=9u32 {
            for total in 0..200u64 {
                let segments: Vec<Segment> = (1..=n).map(|k| Segment::new(k, n).unwrap()).collect();
                for i in 0..total {
                    assert_eq!(segments.iter().filter(|s| s.owns(i)).count(), 1);
                }
                let shares: Vec<u64> = segments.iter().map(|s| s.share(total)).collect();
                assert_eq!(shares.iter().sum::<u64>(), total, "{n} segments of {total}");
                for (s, share) in segments.iter().zip(&shares) {
                    assert_eq!((0..total).filter(|&i| s.owns(i)).count() as u64, *share);
                    assert!(s.share(total + 1) >= *share, "never decreases");
                    for j in 0..*share {
                        assert!(s.owns(s.nth_owned(j)) && s.nth_owned(j) < total);
                    }
                }
            }
        }
    }

    #[test]
    fn equal_segments_are_k6s_rule_for_equal_lengths() {
        for n in 1..=7u64 {
            let bounds: Vec<(u64, u64)> = (0..=n).map(|k| (k, n)).collect();
            let owners = owners(&bounds, 100);
            for (i, owner) in owners.iter().enumerate() {
                let segment = Segment::new(*owner as u32 + 1, n as u32).unwrap();
                assert!(segment.owns(i as u64), "item {i} of {n}");
            }
        }
    }

    #[test]
    fn k6s_own_case_of_unequal_segments() {
        // The sequence 0, .3, .5, .6, .7, .8, .9, 1 of k6's tests.
        let bounds = [
            (0, 10),
            (3, 10),
            (5, 10),
            (6, 10),
            (7, 10),
            (8, 10),
            (9, 10),
            (10, 10),
        ];
        let owners = owners(&bounds, 30);
        let of = |s: usize| -> Vec<usize> { (0..30).filter(|&i| owners[i] == s).collect() };
        // Segment 0:.3 starts at 0 with gaps 4, 3, 3 (L = 10); .3:.5 starts at 1 with gaps 4, 6.
        assert_eq!(of(0), [0, 4, 7, 10, 14, 17, 20, 24, 27]);
        assert_eq!(of(1), [1, 5, 11, 15, 21, 25]);
        assert_eq!(owners.iter().filter(|&&o| o == 2).count(), 3);
    }

    #[test]
    fn segments_parse_as_k_of_n() {
        assert_eq!(
            "2/3".parse::<Segment>().unwrap(),
            Segment { index: 2, count: 3 }
        );
        assert_eq!(" 1 / 1 ".parse::<Segment>().unwrap(), Segment::WHOLE);
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/3", "1/3/4", ""] {
            let err = bad.parse::<Segment>().unwrap_err().to_string();
            assert!(err.contains("1 ≤ K ≤ N"), "{bad}: {err}");
        }
        assert_eq!(Segment::new(2, 5).unwrap().to_string(), "2/5");
    }
}
