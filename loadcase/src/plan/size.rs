//! Sizes in plans: `64MiB`, `500KB`, `1GiB` or bytes, and back.

/// Parses a size above zero: a number of bytes, or with a unit (`KB`, `MB`, `GB` are powers of
/// 1000, `KiB`, `MiB`, `GiB` of 1024; case-insensitive).
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * scale;
    (bytes >= 1.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// A size in the largest binary unit that writes it exactly.
pub(crate) fn size_text(bytes: u64) -> String {
    for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes.is_multiple_of(size) {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_write_back() {
        assert_eq!(parse_size("64MiB"), Some(64 << 20));
        assert_eq!(parse_size("500KB"), Some(500_000));
        assert_eq!(parse_size("1gib"), Some(1 << 30));
        assert_eq!(parse_size("1500"), Some(1500));
        assert_eq!(parse_size("1.5MB"), Some(1_500_000));
        for bad in ["", "0", "-1MB", "10 parsecs", "MB", "1e99GB"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
        assert_eq!(size_text(64 << 20), "64MiB");
        assert_eq!(size_text(1500), "1500");
        assert_eq!(parse_size(&size_text(3 << 10)), Some(3 << 10));
    }
}
