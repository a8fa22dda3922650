use std::time::Duration;

use super::*;

/// HdrHistogram's definition: the smallest value with at least q of all values at or below.
fn sorted_quantile(sorted: &[u64], q: f64) -> u64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
    sorted[rank - 1]
}

#[test]
fn every_percentile_matches_a_brute_force_sort() {
    // Spread over four decades, including values above 500 ms (where Goose went wrong).
    let mut values: Vec<u64> = (0..20_000u64)
        .map(|i| 200 + (i * 104_729) % 2_000_000)
        .collect();
    let mut h = Histogram::default();
    for &v in &values {
        h.record(Duration::from_micros(v));
    }
    values.sort_unstable();
    let d = Distribution::of(&h);
    assert_eq!(d.count, 20_000);
    for (label, q) in PERCENTILES {
        let exact = sorted_quantile(&values, q) as f64 / 1e3;
        let got = d.percentile(label).unwrap();
        assert!(
            (got - exact).abs() <= exact * 0.001 + 0.001,
            "{label}: {got} ms vs {exact} ms"
        );
    }
    let mean = values.iter().sum::<u64>() as f64 / values.len() as f64 / 1e3;
    let var = values
        .iter()
        .map(|&v| (v as f64 / 1e3 - mean).powi(2))
        .sum::<f64>()
        / values.len() as f64;
    assert!(
        (d.mean_ms - mean).abs() <= mean * 0.001,
        "{} vs {mean}",
        d.mean_ms
    );
    assert!(
        (d.stddev_ms - var.sqrt()).abs() <= var.sqrt() * 0.002,
        "{} vs {}",
        d.stddev_ms,
        var.sqrt()
    );
    assert!((d.rel_stddev - d.stddev_ms / d.mean_ms).abs() < 1e-12);
    assert!((d.min_ms - values[0] as f64 / 1e3).abs() <= 0.001);
    let max = *values.last().unwrap() as f64 / 1e3;
    assert!((d.max_ms - max).abs() <= max * 0.001);
}

#[test]
fn rates_use_the_real_elapsed_time_and_empty_is_zero() {
    let mut report = Report {
        elapsed_secs: 4.0,
        ..Report::default()
    };
    let r = report.stats.request_entry("GET /a");
    r.count = 10;
    r.errors = 1;
    r.time.record(Duration::from_millis(3));
    report.stats.hits.success = 6;
    report.stats.hits.failures = 2;
    let f = Figures::of(&report);
    assert_eq!(f.overall.rps, 2.5);
    assert_eq!(f.overall.error_rate, 0.1);
    assert_eq!(f.hits.rate, 2.0);
    assert_eq!(f.hits.error_rate, 0.25);
    assert_eq!(f.request("GET /a").unwrap().count, 10);
    assert_eq!(f.request(ALL_REQUESTS).unwrap().count, 10);
    assert!(f.request("GET /b").is_none());
    let empty = Figures::of(&Report::default());
    assert_eq!(empty.overall.time.mean_ms, 0.0);
    assert_eq!(empty.hits.rate, 0.0);
}
