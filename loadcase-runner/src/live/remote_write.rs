//! Prometheus remote-write 1.0 on the wire: a protobuf `WriteRequest` of time series (labels,
//! samples), compressed with snappy's raw block format, POSTed with the version header. The
//! protobuf is written by hand: four small messages, no code generation.

/// A time series: its labels (the metric name under `__name__`) and one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Label names and values; sorted by name when encoded, as the receiver requires.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

impl Series {
    /// A series of metric `name` with `labels`.
    pub fn new(name: &str, labels: &[(&str, &str)], value: f64) -> Series {
        let mut all = vec![("__name__".to_owned(), name.to_owned())];
        all.extend(
            labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Series { labels: all, value }
    }
}

/// The body of a remote-write POST: the `WriteRequest` of `series` at `timestamp_ms`,
/// snappy-compressed.
pub fn body(series: &[Series], timestamp_ms: i64) -> Vec<u8> {
    let mut request = Vec::new();
    for one in series {
        let mut timeseries = Vec::new();
        let mut labels: Vec<&(String, String)> = one.labels.iter().collect();
        labels.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, value) in labels {
            let mut label = Vec::new();
            field_bytes(&mut label, 1, name.as_bytes());
            field_bytes(&mut label, 2, value.as_bytes());
            field_bytes(&mut timeseries, 1, &label);
        }
        let mut sample = Vec::new();
        // Sample.value: a double (wire type 1); Sample.timestamp: an int64 (varint).
        sample.push((1 << 3) | 1);
        sample.extend_from_slice(&one.value.to_le_bytes());
        sample.push(2 << 3);
        varint(&mut sample, timestamp_ms as u64);
        field_bytes(&mut timeseries, 2, &sample);
        field_bytes(&mut request, 1, &timeseries);
    }
    snap::raw::Encoder::new()
        .compress_vec(&request)
        .expect("snappy compresses any input in memory")
}

/// The headers remote-write 1.0 asks for.
pub const HEADERS: [(&str, &str); 3] = [
    ("Content-Type", "application/x-protobuf"),
    ("Content-Encoding", "snappy"),
    ("X-Prometheus-Remote-Write-Version", "0.1.0"),
];

/// A length-delimited field (wire type 2).
fn field_bytes(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    varint(out, (field << 3) | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_request_encodes_as_protobuf_under_snappy() {
        let series = [Series::new("up", &[("job", "x")], 1.5)];
        let raw = snap::raw::Decoder::new()
            .decompress_vec(&body(&series, 300))
            .unwrap();
        // WriteRequest{ timeseries: [TimeSeries{ labels: [__name__=up, job=x], samples:
        // [Sample{ value: 1.5, timestamp: 300 }] }] }, byte for byte.
        let label = |k: &str, v: &str| {
            let mut l = vec![0x0a, k.len() as u8];
            l.extend_from_slice(k.as_bytes());
            l.extend_from_slice(&[0x12, v.len() as u8]);
            l.extend_from_slice(v.as_bytes());
            l
        };
        let mut ts = Vec::new();
        for l in [label("__name__", "up"), label("job", "x")] {
            ts.push(0x0a);
            ts.push(l.len() as u8);
            ts.extend(l);
        }
        let mut sample = vec![0x09];
        sample.extend_from_slice(&1.5f64.to_le_bytes());
        sample.extend_from_slice(&[0x10, 0xac, 0x02]);
        ts.push(0x12);
        ts.push(sample.len() as u8);
        ts.extend(sample);
        let mut want = vec![0x0a, ts.len() as u8];
        want.extend(ts);
        assert_eq!(raw, want);
    }

    #[test]
    fn labels_go_out_sorted() {
        let series = [Series::new("m", &[("z", "1"), ("a", "2")], 0.0)];
        let raw = snap::raw::Decoder::new()
            .decompress_vec(&body(&series, 0))
            .unwrap();
        // Each label's name field: tag 0x0a, its length, its bytes.
        let at = |key: &[u8]| {
            let mut field = vec![0x0a, key.len() as u8];
            field.extend_from_slice(key);
            raw.windows(field.len()).position(|w| w == field).unwrap()
        };
        assert!(at(b"__name__") < at(b"a") && at(b"a") < at(b"z"), "{raw:?}");
    }
}
