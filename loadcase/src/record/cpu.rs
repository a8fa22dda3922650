//! The process's own CPU time and peak memory, so a run can say what it cost its generator.

/// User + system CPU time of this process so far, in seconds, where the platform tells it.
pub(crate) fn process_secs() -> Option<f64> {
    #[cfg(unix)]
    {
        let usage = usage()?;
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Some(secs(usage.ru_utime) + secs(usage.ru_stime))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The most resident memory this process has used, in bytes, where the platform tells it.
pub(crate) fn peak_rss_bytes() -> Option<u64> {
    #[cfg(unix)]
    {
        // Linux and the BSDs report KiB; macOS reports bytes.
        let unit = if cfg!(target_vendor = "apple") {
            1
        } else {
            1024
        };
        u64::try_from(usage()?.ru_maxrss).ok().map(|v| v * unit)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(unix)]
fn usage() -> Option<libc::rusage> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a whole rusage into the pointer it is given, and we read it only
    // when it says it did.
    unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return None;
        }
        Some(usage.assume_init())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(unix)]
    fn grows_with_work() {
        // Spins until the process has used 50 ms of CPU, however busy the machine is (a loaded
        // machine gives this thread less than its wall time): the clock must see it.
        let before = super::process_secs().unwrap();
        let mut x = 0u64;
        let start = std::time::Instant::now();
        let mut after = before;
        while after - before < 0.05 && start.elapsed() < std::time::Duration::from_secs(10) {
            for _ in 0..100_000 {
                x = x.wrapping_mul(31).wrapping_add(std::hint::black_box(7));
            }
            after = super::process_secs().unwrap();
        }
        std::hint::black_box(x);
        assert!(after - before >= 0.05, "{before} → {after}");
    }

    #[test]
    #[cfg(unix)]
    fn peak_memory_covers_what_was_touched() {
        let before = super::peak_rss_bytes().unwrap();
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let after = super::peak_rss_bytes().unwrap();
        assert!(after >= before.max(64 << 20), "{before} → {after}");
    }
}
