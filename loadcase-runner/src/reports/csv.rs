//! The CSV report: the per-request-name table, one row per name and a row for all requests
//! together, then, for a plan of several stages, a row per stage with all its requests over the
//! stage's own time. Times in milliseconds.

use loadcase::Report;
use loadcase::report::{Distribution, Figures, PERCENTILES, RequestFigures};

const STATS: [&str; 5] = ["min", "mean", "stddev", "rel_stddev", "max"];

fn header() -> Vec<String> {
    let mut columns: Vec<String> = ["name", "count", "errors", "error_rate", "rps"]
        .map(String::from)
        .to_vec();
    for timing in ["time", "ttfb", "ttlb"] {
        for stat in STATS {
            let unit = if stat == "rel_stddev" { "" } else { "_ms" };
            columns.push(format!("{timing}_{stat}{unit}"));
        }
        for (label, _) in PERCENTILES {
            columns.push(format!("{timing}_{label}_ms"));
        }
    }
    columns.extend(["bytes_sent", "bytes_received"].map(String::from));
    columns
}

fn row(r: &RequestFigures) -> Vec<String> {
    let mut cells = vec![
        r.name.clone(),
        r.count.to_string(),
        r.errors.to_string(),
        format!("{:.6}", r.error_rate),
        format!("{:.3}", r.rps),
    ];
    for d in [&r.time, &r.ttfb, &r.ttlb] {
        cells.extend(distribution(d));
    }
    cells.push(r.bytes_sent.to_string());
    cells.push(r.bytes_received.to_string());
    cells
}

fn distribution(d: &Distribution) -> Vec<String> {
    let ms = |v: f64| format!("{v:.3}");
    let mut cells = vec![
        ms(d.min_ms),
        ms(d.mean_ms),
        ms(d.stddev_ms),
        format!("{:.4}", d.rel_stddev),
        ms(d.max_ms),
    ];
    cells.extend(d.percentiles.iter().map(|(_, v)| ms(*v)));
    cells
}

pub fn render(report: &Report) -> String {
    let figures = Figures::of(report);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let stages = report.stages.iter().enumerate().map(|(i, stage)| {
        let name = format!("Stage {}", i + 1);
        row(&RequestFigures::of(
            &name,
            &stage.stats.all_requests(),
            stage.elapsed_secs,
        ))
    });
    let rows = std::iter::once(header())
        .chain(figures.requests.iter().map(row))
        .chain(std::iter::once(row(&figures.overall)))
        .chain(stages);
    for record in rows {
        writer
            .write_record(&record)
            .expect("writing to memory cannot fail");
    }
    String::from_utf8(writer.into_inner().expect("flushing to memory cannot fail"))
        .expect("csv of UTF-8 strings is UTF-8")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn one_row_per_name_then_all_requests_and_names_are_quoted() {
        let mut report = Report {
            elapsed_secs: 2.0,
            ..Report::default()
        };
        for (name, n, ms) in [("GET /a", 4u64, 10u64), ("POST /b, \"quoted\"", 2, 30)] {
            let r = report.stats.request_entry(name);
            r.count = n;
            r.bytes_sent = 7;
            for _ in 0..n {
                r.time.record(Duration::from_millis(ms));
            }
        }
        let text = render(&report);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(headers.len(), header().len());
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[1][0], "POST /b, \"quoted\"");
        assert_eq!(&rows[2][0], "All requests");
        assert_eq!(&rows[2][col("count")], "6");
        assert_eq!(&rows[0][col("rps")], "2.000");
        assert_eq!(&rows[2][col("bytes_sent")], "14");
        let p50: f64 = rows[1][col("time_p50_ms")].parse().unwrap();
        assert!((p50 - 30.0).abs() < 0.05, "{p50}");
    }

    #[test]
    fn a_staged_run_adds_a_row_per_stage_over_its_own_time() {
        let mut report = Report {
            elapsed_secs: 3.0,
            ..Report::default()
        };
        for (n, secs) in [(4u64, 0.5), (12, 2.0)] {
            let mut stage = loadcase::report::StageStats {
                elapsed_secs: secs,
                ..Default::default()
            };
            let r = stage.stats.request_entry("GET /a");
            r.count = n;
            r.errors = 1;
            for _ in 0..n {
                r.time.record(Duration::from_millis(5));
            }
            report.stats.merge(&stage.stats);
            report.stages.push(stage);
        }
        let text = render(&report);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
        assert_eq!(names, ["GET /a", "All requests", "Stage 1", "Stage 2"]);
        assert_eq!(
            (
                &rows[2][col("count")],
                &rows[2][col("errors")],
                &rows[2][col("rps")]
            ),
            ("4", "1", "8.000"),
            "4 requests in the first stage's half second"
        );
        assert_eq!(
            (&rows[3][col("count")], &rows[3][col("rps")]),
            ("12", "6.000")
        );
    }
}
