//! How figures are written, in one place for the summary, the comparison, the history's tables
//! and the reports: durations, counts, rates, shares, sizes, times of day, and text made safe
//! for XML and HTML.

use std::time::Duration;

/// `850µs`, `12.3ms`, `1.24s`: three significant figures at the scale that fits (the summary's
/// tables).
pub fn human(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1_000 {
        format!("{micros}µs")
    } else if micros < 1_000_000 {
        format!("{:.1}ms", micros as f64 / 1e3)
    } else {
        format!("{:.2}s", micros as f64 / 1e6)
    }
}

/// Milliseconds as [`human`] writes them, `-` for none.
pub fn human_ms(ms: f64) -> String {
    if ms > 0.0 {
        human(Duration::from_secs_f64(ms / 1e3))
    } else {
        "-".to_owned()
    }
}

/// Seconds to three significant digits: Loads printed two decimals, which reads 0.00s for any
/// request under 5 ms.
pub fn seconds(value: f64) -> String {
    if value <= 0.0 {
        return "0.00".to_owned();
    }
    let decimals = (2 - value.log10().floor() as i32).clamp(2, 9) as usize;
    format!("{value:.decimals$}")
}

/// A time in milliseconds with about three significant figures and a spaced unit, as the
/// reports' cards write it: `0.85 ms`, `12.3 ms`, `1.24 s`.
pub fn ms(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.2} s", value / 1e3)
    } else {
        format!("{} ms", figure(value))
    }
}

/// A run length as a person says it: `850 ms`, `42.1 s`, `12 min 5 s`, `1 h 0 min`.
pub fn duration(secs: f64) -> String {
    if secs < 1.0 {
        return format!("{:.0} ms", secs * 1e3);
    }
    if secs < 60.0 {
        return format!("{secs:.1} s");
    }
    let whole = secs.round() as u64;
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    match (h, m, s) {
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// A count with thin-space thousands separators, which read at a glance in wide tables.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(d);
    }
    out
}

/// A figure (a rate, milliseconds in a column that names the unit) with the precision that
/// matters at its size: `512`, `51.2`, `5.12`.
pub fn figure(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// A measured fraction as a percentage; tiny non-zero rates keep a digit so they do not read
/// as 0 %: `0 %`, `0.050 %`, `4.00 %`, `12.5 %`.
pub fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    if p == 0.0 {
        "0 %".to_owned()
    } else if p < 0.1 {
        format!("{p:.3} %")
    } else if p < 10.0 {
        format!("{p:.2} %")
    } else {
        format!("{p:.1} %")
    }
}

/// A fraction the user gave, as they would write it back: `10%`, `2.5%` (a tolerance).
pub fn tolerance(fraction: f64) -> String {
    let p = fraction * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round())
    } else {
        format!("{p}%")
    }
}

/// Bytes in binary units.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A start time in the local time zone, as the summary's `Started:` line shows it; empty for a
/// time that cannot be one.
pub fn local_time(unix_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// A start time in UTC, as machines read it: `2026-09-21T14:13:20Z` (`suffix` is `"Z"`, or
/// empty where the format has no zone, as JUnit's timestamp).
pub fn utc_time(unix_ms: u64, suffix: &str) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(unix_ms as i64)
        .map(|t| format!("{}{suffix}", t.format("%Y-%m-%dT%H:%M:%S")))
}

/// At most `width` characters, the last one `…` when some were cut.
pub fn truncate(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        return name.to_owned();
    }
    let mut cut: String = name.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Text for XML (JUnit, the reports' SVG): the five characters that can end a text run or a
/// quoted attribute escaped, and the control characters XML 1.0 cannot hold replaced (a test's
/// output may have terminal colours in it). `&#39;` rather than `&apos;`, which HTML 4 parsers
/// do not know, so that the text is safe in an HTML page too.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_at_their_scale() {
        assert_eq!(human(Duration::from_micros(850)), "850µs");
        assert_eq!(human(Duration::from_micros(12_345)), "12.3ms");
        assert_eq!(human(Duration::from_micros(1_240_000)), "1.24s");
        assert_eq!(human_ms(0.0), "-");
        assert_eq!(human_ms(12.345), "12.3ms");
        assert_eq!(ms(0.85), "0.85 ms");
        assert_eq!(ms(12.34), "12.3 ms");
        assert_eq!(ms(1240.0), "1.24 s");
        assert_eq!(duration(0.85), "850 ms");
        assert_eq!(duration(42.12), "42.1 s");
        assert_eq!(duration(725.0), "12 min 5 s");
        assert_eq!(duration(3600.0), "1 h");
        assert_eq!(duration(3700.0), "1 h 1 min");
    }

    #[test]
    fn average_seconds_keep_three_significant_digits() {
        assert_eq!(seconds(0.0454), "0.0454");
        assert_eq!(seconds(0.00202), "0.00202");
        assert_eq!(seconds(0.612), "0.612");
        assert_eq!(seconds(2.5), "2.50");
        assert_eq!(seconds(125.0), "125.00");
        assert_eq!(seconds(0.0), "0.00");
    }

    #[test]
    fn counts_rates_shares_and_sizes() {
        assert_eq!(count(1_234_567), "1\u{2009}234\u{2009}567");
        assert_eq!(count(999), "999");
        assert_eq!(
            (figure(512.4), figure(51.24), figure(5.124)),
            ("512".into(), "51.2".into(), "5.12".into())
        );
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(0.0005), "0.050 %");
        assert_eq!(percent(0.04), "4.00 %");
        assert_eq!(percent(0.125), "12.5 %");
        assert_eq!(tolerance(0.1), "10%");
        assert_eq!(tolerance(0.025), "2.5%");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(2_411_724), "2.3 MiB");
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("GET /", 7), "GET /");
        assert_eq!(truncate("GET /a/long/path", 7), "GET /a…");
    }

    #[test]
    fn xml_text_cannot_end_its_element_or_hold_controls() {
        assert_eq!(
            escape_xml("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_xml("\u{1b}[31mred\ttab\n"), "\u{FFFD}[31mred\ttab\n");
    }

    #[test]
    fn times_read_in_utc_for_machines() {
        assert_eq!(
            utc_time(1_790_000_000_000, "Z").as_deref(),
            Some("2026-09-21T14:13:20Z")
        );
        assert_eq!(
            utc_time(1_790_000_000_000, "").as_deref(),
            Some("2026-09-21T14:13:20")
        );
    }
}
