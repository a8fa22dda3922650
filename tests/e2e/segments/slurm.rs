//! Slurm for real: `deploy/slurm/loadcase.sbatch` submitted with `sbatch --wait` to a cluster on
//! this machine (`.ci/slurm-up` starts a one-node one), its `srun` step of 3 tasks each running a
//! segment from the artifact against the counting server, then its merge.

use std::process::{Command, Stdio};

use loadcase_e2e::{required, skip, workspace};

use super::{Split, json, split, without_toolchain};

/// Whether a Slurm cluster answers here with a node ready for jobs.
fn slurm_up() -> bool {
    Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .is_ok_and(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| l == "idle" || l == "mixed")
        })
}

/// Slurm is optional on a developer's machine: without a cluster this test says it skipped,
/// unless `LOADCASE_REQUIRE_SLURM=1` (as `.ci/run` sets it, after starting one).
#[test]
fn an_sbatch_job_runs_one_srun_step_of_segments_and_merges_them() {
    if !slurm_up() && !required("LOADCASE_REQUIRE_SLURM") {
        skip(
            "an_sbatch_job_runs_one_srun_step_of_segments_and_merges_them",
            "no Slurm cluster answers here (`bash .ci/slurm-up` starts a one-node one as root; \
             LOADCASE_REQUIRE_SLURM=1 makes this a failure)",
        );
        return;
    }
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("fixture::get", "slurm");
    let script = workspace().join("deploy/slurm/loadcase.sbatch");
    let mut sbatch = Command::new("sbatch");
    sbatch
        .args([
            "--wait",
            "--ntasks=3",
            "--ntasks-per-node=3",
            "--job-name=loadcase-e2e",
        ])
        .arg(format!("--output={}/job.out", reports.display()))
        .arg(format!("--chdir={}", reports.display()))
        .arg(&script)
        .arg(&dir)
        .args([
            "fixture::get",
            "-u",
            "10:20:30",
            "--hits",
            "20",
            "--server-url",
            &url,
        ])
        .env("REPORTS", &reports)
        .env("LEAD", "5")
        .stdin(Stdio::null());
    // The job gets this environment: its nodes have no toolchain.
    without_toolchain(&mut sbatch);
    let output = sbatch.output().expect("run sbatch");
    let job = std::fs::read_to_string(reports.join("job.out")).unwrap_or_default();
    let logs: String = (0..3)
        .map(|t| {
            std::fs::read_to_string(reports.join(format!("segment-{t}.log"))).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("\n---\n");
    let said = format!(
        "sbatch: {}{}\n--- job.out\n{job}\n--- segments\n{logs}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the job failed: {said}");
    assert_eq!(server.counts().requests, 1200, "{said}");
    assert!(job.lines().any(|l| l == "Hits: 1200"), "{said}");
    assert!(job.contains(": 3 of 3 merged\n"), "{said}");
    for (t, hits) in [(0, 420), (1, 400), (2, 380)] {
        let seg = json(&reports.join(format!("seg-{}.json", t + 1)));
        assert_eq!(seg["stats"]["hits"]["success"], hits, "task {t}: {said}");
        assert!(
            seg["run_id"].as_str().unwrap().starts_with("slurm-"),
            "{said}"
        );
    }
    let merged = json(&reports.join("merged.json"));
    assert_eq!(merged["figures"]["overall"]["count"], 1200);
    let skew = job
        .lines()
        .find_map(|l| l.strip_prefix("Start skew between segments: "))
        .unwrap_or_else(|| panic!("no start skew: {said}"));
    eprintln!(
        "slurm: srun -n 3 of -u 10:20:30 --hits 20: server {} requests, merged Hits: 1200, start skew {skew}",
        server.counts().requests
    );
}
