//! Reading a response's body within a limit: whatever a server sends — an endless chunked
//! stream, a body of gigabytes — a response holds at most the limit in memory. Past it, the
//! bytes are still read, counted and timed to the last one, but not kept.

use bytes::Bytes;

/// The most of a response's body kept in memory unless a plan (`--body-limit`) or a request
/// ([`RequestBuilder::body_limit`](crate::RequestBuilder::body_limit)) says otherwise.
pub const DEFAULT_BODY_LIMIT: u64 = 16 * 1024 * 1024;

/// A body as it arrives.
pub(crate) struct Collect {
    limit: u64,
    chunks: Vec<Bytes>,
    received: u64,
}

/// A body read to its end.
pub(crate) struct Read {
    /// The body, when it fitted the limit.
    pub kept: Option<Bytes>,
    /// Bytes received, kept or not.
    pub received: u64,
}

impl Collect {
    pub(crate) fn new(limit: u64) -> Collect {
        Collect {
            limit,
            chunks: Vec::new(),
            received: 0,
        }
    }

    /// Takes the next chunk; past the limit, lets everything held go.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        self.received += chunk.len() as u64;
        if self.received > self.limit {
            self.chunks = Vec::new();
        } else {
            self.chunks.push(chunk);
        }
    }

    /// Bytes received so far.
    pub(crate) fn received(&self) -> u64 {
        self.received
    }

    /// The body, in one piece when it fitted.
    pub(crate) fn finish(mut self) -> Read {
        let kept = (self.received <= self.limit).then(|| match self.chunks.len() {
            0 => Bytes::new(),
            1 => self.chunks.pop().expect("one chunk"),
            _ => {
                let mut all = Vec::with_capacity(self.received as usize);
                for chunk in &self.chunks {
                    all.extend_from_slice(chunk);
                }
                Bytes::from(all)
            }
        });
        Read {
            kept,
            received: self.received,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_past_its_limit_is_counted_not_kept() {
        let mut small = Collect::new(10);
        small.push(Bytes::from_static(b"hello "));
        small.push(Bytes::from_static(b"you"));
        let read = small.finish();
        assert_eq!(read.kept.as_deref(), Some(&b"hello you"[..]));
        assert_eq!(read.received, 9);

        let mut big = Collect::new(10);
        for _ in 0..1000 {
            big.push(Bytes::from_static(b"0123456789"));
            assert!(big.chunks.len() <= 1, "nothing past the limit is held");
        }
        let read = big.finish();
        assert_eq!((read.kept, read.received), (None, 10_000));
        let empty = Collect::new(0).finish();
        assert_eq!(empty.kept.as_deref(), Some(&b""[..]));
    }
}
