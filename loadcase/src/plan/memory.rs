//! Whether a plan fits in memory: every virtual user running at once holds its context, its
//! client and its connection, and a plan of ten million users at once would abort the process
//! partway through starting them. Refused before anything starts instead, with what would fit.

use crate::plan::error::{PlanError, PlanField};
use crate::plan::model::{Plan, Shape};

/// Memory a virtual user may hold: about 4 KiB idle (measured by `bench/run.sh scale`), up to
/// this with an open connection and its buffers. Deliberately generous: the check is against
/// plans off by orders of magnitude, not a tight budget.
pub const BYTES_PER_USER: u64 = 16 * 1024;

impl Plan {
    /// The most virtual users this process runs at once for the plan (its segment's share):
    /// the largest stage, the highest target, or the open model's `--max-users`.
    pub fn peak_users(&self) -> u64 {
        let whole = match &self.shape {
            Shape::Fixed { users, .. } => users.iter().copied().max().map_or(0, u64::from),
            Shape::Ramping { targets, .. } => targets
                .iter()
                .map(|t| u64::from(t.users))
                .max()
                .unwrap_or(0),
            Shape::Rate(rate) => u64::from(rate.max_users),
        };
        self.segment.share(whole)
    }

    /// Refuses the plan when its users at once would need more than `available` bytes (see
    /// [`available_memory`]); `None` (unknown) refuses nothing.
    pub fn check_memory(&self, available: Option<u64>) -> Result<(), PlanError> {
        let Some(available) = available else {
            return Ok(());
        };
        let users = self.peak_users();
        let needed = users.saturating_mul(BYTES_PER_USER);
        if needed <= available {
            return Ok(());
        }
        let field = match &self.shape {
            Shape::Fixed { .. } => PlanField::Users,
            Shape::Ramping { .. } => PlanField::Stages,
            Shape::Rate(_) => PlanField::MaxUsers,
        };
        Err(PlanError::TooManyUsers {
            field,
            users,
            needed,
            available,
            fits: available / BYTES_PER_USER,
        })
    }
}

/// The memory this process may still use, where the system says: the smaller of what the
/// kernel has available (`MemAvailable`) and what is left under a cgroup's limit.
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let available = meminfo.as_deref().and_then(|text| {
        text.lines()
            .find_map(|line| line.strip_prefix("MemAvailable:"))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    });
    let read =
        |path: &str| -> Option<u64> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let cgroup = read("/sys/fs/cgroup/memory.max")
        .map(|max| max.saturating_sub(read("/sys/fs/cgroup/memory.current").unwrap_or(0)));
    match (available, cgroup) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    }
}
