//! Which test of a mix each virtual user runs: weights spread evenly over user indices (smooth
//! weighted round-robin, as nginx balances upstreams), so that any `sum(weights)` consecutive
//! users hold exactly each test's share, and a small run is not all of one test first.

/// The test of user `i` is `order[i % order.len()]`.
pub(super) fn order(weights: &[u32]) -> Vec<usize> {
    let divisor = weights.iter().copied().fold(0, gcd).max(1);
    let weights: Vec<i64> = weights.iter().map(|&w| i64::from(w / divisor)).collect();
    let total: i64 = weights.iter().sum();
    if total == 0 {
        return vec![0];
    }
    let mut current = vec![0i64; weights.len()];
    (0..total)
        .map(|_| {
            for (c, w) in current.iter_mut().zip(&weights) {
                *c += w;
            }
            let best = (0..current.len())
                .max_by_key(|&i| (current[i], std::cmp::Reverse(i)))
                .expect("at least one test");
            current[best] -= total;
            best
        })
        .collect()
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cycle_holds_the_exact_shares_interleaved() {
        let order = order(&[3, 1]);
        assert_eq!(order, vec![0, 0, 1, 0]);
        let order = super::order(&[30, 10, 20]);
        assert_eq!(order.len(), 6, "weights are reduced by their gcd");
        for (test, share) in [(0, 3), (1, 1), (2, 2)] {
            assert_eq!(order.iter().filter(|&&t| t == test).count(), share);
        }
        assert_eq!(super::order(&[5]), vec![0]);
    }
}
