//! Which share of a split plan this process runs, and what ties the shares together: the segment
//! (`--segment K/N`, or `--segments N` with K from the engine that started the process), the run
//! id, the seed of random choices drawn from it, and the start time. Everything is checked before
//! anything is built, and every refusal names the flag or variable and the fix.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow, bail};
use loadcase::Plan;
use loadcase::plan::Segment;

use crate::cli::distributed::DistributedOptions;

/// The 0-based index of a pod of a Kubernetes Indexed Job.
pub const JOB_COMPLETION_INDEX: &str = "JOB_COMPLETION_INDEX";
/// The 0-based rank of a task of a Slurm step.
pub const SLURM_PROCID: &str = "SLURM_PROCID";
/// How many tasks the Slurm step has.
pub const SLURM_NTASKS: &str = "SLURM_NTASKS";
/// What `{segment}` in a report or log path stands for: the segment's K.
pub const SEGMENT_PLACEHOLDER: &str = "{segment}";

/// A start more than this far ahead is a mistake (milliseconds given as seconds, say).
const FARTHEST_START: Duration = Duration::from_secs(7 * 24 * 3600);
/// The longest run id: it is in every report, every file name the user derives from it.
const MAX_RUN_ID: usize = 128;

/// What the distributed options resolve to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Distributed {
    /// This process's share; the whole plan without `--segment` or `--segments`.
    pub segment: Segment,
    /// Where K came from, for messages: `--segment`, `JOB_COMPLETION_INDEX`, `SLURM_PROCID`.
    pub from: &'static str,
    /// `--run-id`.
    pub run_id: Option<String>,
    /// `--start-at`, in milliseconds since the Unix epoch.
    pub start_at_unix_ms: Option<u64>,
}

impl Distributed {
    /// Whether this process runs a share of a split plan.
    pub fn segmented(&self) -> bool {
        self.from != "none"
    }

    /// The plan for this process: its segment, the run id, the seed every segment draws from,
    /// the start time. The open model refuses to split fewer users than segments.
    pub fn apply(&self, plan: Plan) -> Result<Plan> {
        let mut plan = plan.with_segment(self.segment).map_err(|e| anyhow!(e))?;
        plan.run_id.clone_from(&self.run_id);
        plan.seed = self.run_id.as_deref().map(seed_of);
        plan.start_at_unix_ms = self.start_at_unix_ms;
        Ok(plan)
    }

    /// `path` with `{segment}` replaced by K (`seg-{segment}.json` → `seg-2.json`).
    pub fn expand(&self, path: &Path) -> PathBuf {
        let text = path.to_string_lossy();
        if !text.contains(SEGMENT_PLACEHOLDER) {
            return path.to_owned();
        }
        PathBuf::from(text.replace(SEGMENT_PLACEHOLDER, &self.segment.index.to_string()))
    }
}

/// The seed of random choices (`--ramp random`) from the run id: the same in every segment of a
/// run, on every machine (FNV-1a, which does not change between Rust releases).
pub fn seed_of(run_id: &str) -> u64 {
    format!("loadcase seed of run {run_id}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Resolves the options, reading the engines' variables through `var`.
pub fn resolve(
    options: &DistributedOptions,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Distributed> {
    let (segment, from) = match (&options.segment, &options.segments) {
        (Some(text), _) => {
            let segment = text
                .parse::<Segment>()
                .map_err(|e| anyhow!("--segment: {e}"))?;
            (segment, "--segment")
        }
        (None, Some(text)) => from_engine(text, var)?,
        (None, None) => (Segment::WHOLE, "none"),
    };
    let segmented = from != "none";
    let run_id = match &options.run_id {
        Some(id) => Some(check_run_id(id)?),
        None if segmented => bail!(
            "{}: a segment needs --run-id ID, the same in every segment of the run (e.g. --run-id \"shop-$SLURM_JOB_ID\"), \
             so that `cargo loadrun merge` takes this run's reports only and random choices are drawn alike",
            if from == "--segment" {
                "--segment"
            } else {
                "--segments"
            }
        ),
        None => None,
    };
    let start_at_unix_ms = options
        .start_at
        .as_deref()
        .map(|text| parse_start_at(text, unix_now()))
        .transpose()?;
    Ok(Distributed {
        segment,
        from,
        run_id,
        start_at_unix_ms,
    })
}

/// `--segments N` or `--segments auto`: K from the variables of the engine that started this
/// process.
fn from_engine(
    text: &str,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<(Segment, &'static str)> {
    let read = |name: &'static str| -> Result<Option<u32>> {
        let Some(value) = var(name).filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        value.trim().parse::<u32>().map(Some).map_err(|_| {
            anyhow!("{name} is `{value}`, not a whole number from 0; it is the engine's to set, not yours")
        })
    };
    let ntasks = read(SLURM_NTASKS)?;
    let count = if text.trim() == "auto" {
        let Some(n) = ntasks.filter(|&n| n > 0) else {
            bail!(
                "--segments auto takes the number of segments from {SLURM_NTASKS}, which is not set: \
                 run it as a task of `srun -n N`, or give --segments N (or --segment K/N)"
            );
        };
        n
    } else {
        match text.trim().parse::<u32>() {
            Ok(n) if n > 0 => n,
            _ => bail!(
                "--segments: `{text}` is not a number of segments; write --segments 5 (K from {JOB_COMPLETION_INDEX} or {SLURM_PROCID}), or --segments auto under srun"
            ),
        }
    };
    let auto = text.trim() == "auto";
    let kubernetes = if auto {
        None
    } else {
        read(JOB_COMPLETION_INDEX)?
    };
    let slurm = read(SLURM_PROCID)?;
    let (index, from) = match (kubernetes, slurm) {
        (Some(k), Some(s)) if k != s => bail!(
            "--segments {text}: {JOB_COMPLETION_INDEX} is {k} and {SLURM_PROCID} is {s}: which one is this process? Give --segment K/N"
        ),
        (Some(k), _) => (k, JOB_COMPLETION_INDEX),
        (None, Some(s)) => (s, SLURM_PROCID),
        (None, None) => bail!(
            "--segments {text}: nothing to take this process's segment from: neither {JOB_COMPLETION_INDEX} \
             (set in each pod of a Kubernetes Indexed Job) nor {SLURM_PROCID} (set in each task of a Slurm step) is set; \
             give --segment K/N to name it"
        ),
    };
    if from == SLURM_PROCID
        && let Some(n) = ntasks
        && n != count
    {
        bail!(
            "--segments {count}: this Slurm step runs {n} tasks ({SLURM_NTASKS}={n}); give srun -n {count}, or --segments auto"
        );
    }
    if index >= count {
        let fix = if from == JOB_COMPLETION_INDEX {
            "make the Job's completions and parallelism equal to --segments"
        } else {
            "make srun -n equal to --segments, or give --segments auto"
        };
        bail!(
            "{from} is {index}, but --segments {count} has indexes 0 to {}: {fix}",
            count - 1
        );
    }
    let segment = Segment::new(index + 1, count).expect("index < count");
    Ok((segment, from))
}

fn check_run_id(id: &str) -> Result<String> {
    let id = id.trim();
    if id.is_empty() {
        bail!(
            "--run-id is empty; give a name for this run, the same in every segment, e.g. --run-id shop-2026-11-27"
        );
    }
    if id.chars().count() > MAX_RUN_ID || id.chars().any(char::is_control) {
        bail!(
            "--run-id: `{}` is not a run id; give at most {MAX_RUN_ID} printable characters, e.g. --run-id shop-2026-11-27",
            id.escape_debug()
        );
    }
    Ok(id.to_owned())
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// `--start-at`: RFC 3339 (`2026-11-27T10:00:00Z`) or Unix seconds (`1795000000`, `1795000000.5`),
/// as milliseconds since the Unix epoch. One in the past is taken: the segment then gets ready,
/// finds it missed the start, and exits with its own code.
pub fn parse_start_at(text: &str, now: Duration) -> Result<u64> {
    let example = "write it as RFC 3339 (2026-11-27T10:00:00Z) or Unix seconds (e.g. $(( $(date +%s) + 60 )))";
    let trimmed = text.trim();
    let ms = if let Ok(seconds) = trimmed.parse::<f64>() {
        if !seconds.is_finite() || seconds < 0.0 {
            bail!("--start-at: `{text}` is not a time; {example}");
        }
        (seconds * 1000.0).round() as u64
    } else {
        let time = chrono::DateTime::parse_from_rfc3339(trimmed)
            .map_err(|e| anyhow!("--start-at: `{text}` is not a time ({e}); {example}"))?;
        u64::try_from(time.timestamp_millis())
            .map_err(|_| anyhow!("--start-at: `{text}` is before 1970; {example}"))?
    };
    let ahead = Duration::from_millis(ms).saturating_sub(now);
    if ahead > FARTHEST_START {
        bail!(
            "--start-at: `{text}` is {} days from now; give Unix seconds, not milliseconds, or a nearer time",
            ahead.as_secs() / 86_400
        );
    }
    Ok(ms)
}

#[cfg(test)]
mod tests;
