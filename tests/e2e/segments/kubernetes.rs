//! `deploy/kubernetes/loadcase.yaml` read into Kubernetes' own API types (no cluster runs here):
//! an Indexed Job of one segment per pod, no retry of an index, one pod per node, the reports on
//! a shared volume, and a merge Job that waits for them. Then the very arguments it gives its
//! pods, run as local processes with `JOB_COMPLETION_INDEX` set, and its merge's.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Container, PersistentVolumeClaim, PodSpec};
use loadcase_e2e::{Run, finish, workspace};
use serde::Deserialize;

use super::{Split, run_all, split, without_toolchain};

/// The manifest as `envsubst '$RUN_ID $START_AT'` leaves it, in its three documents.
fn manifest(run_id: &str, start_at: &str) -> (PersistentVolumeClaim, Job, Job) {
    let text = std::fs::read_to_string(workspace().join("deploy/kubernetes/loadcase.yaml"))
        .expect("read deploy/kubernetes/loadcase.yaml")
        .replace("${RUN_ID}", run_id)
        .replace("${START_AT}", start_at);
    let mut documents = serde_yaml::Deserializer::from_str(&text);
    let mut next = || documents.next().expect("three documents");
    let pvc = PersistentVolumeClaim::deserialize(next()).expect("a PersistentVolumeClaim");
    let segments = Job::deserialize(next()).expect("the segments' Job");
    let merge = Job::deserialize(next()).expect("the merge Job");
    (pvc, segments, merge)
}

fn pod_of(job: &Job) -> (&PodSpec, &Container) {
    let pod = job
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .expect("a pod template");
    (pod, &pod.containers[0])
}

/// The value after `flag` in `args`.
fn after<'a>(args: &'a [String], flag: &str) -> &'a str {
    let at = args
        .iter()
        .position(|a| a == flag)
        .unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    &args[at + 1]
}

#[test]
fn the_indexed_job_runs_one_segment_per_pod_and_the_merge_waits_for_them() {
    let (pvc, segments, merge) = manifest("shop-1", "1795000000");
    let pvc_name = pvc.metadata.name.clone().unwrap();
    assert!(
        pvc.spec
            .as_ref()
            .unwrap()
            .access_modes
            .as_ref()
            .unwrap()
            .contains(&"ReadWriteMany".to_owned())
    );

    let spec = segments.spec.as_ref().unwrap();
    assert_eq!(spec.completion_mode.as_deref(), Some("Indexed"));
    let n = spec.completions.unwrap();
    assert_eq!(spec.parallelism, Some(n), "every segment at once");
    assert_eq!(
        spec.backoff_limit_per_index,
        Some(0),
        "no retry of an index"
    );
    assert_eq!(spec.max_failed_indexes, None, "the other indexes go on");
    let (pod, container) = pod_of(&segments);
    assert_eq!(pod.restart_policy.as_deref(), Some("Never"));
    let spread = &pod.topology_spread_constraints.as_ref().unwrap()[0];
    assert_eq!(
        (spread.topology_key.as_str(), spread.max_skew),
        ("kubernetes.io/hostname", 1)
    );
    assert_eq!(spread.when_unsatisfiable, "DoNotSchedule");
    let labels = spec
        .template
        .metadata
        .as_ref()
        .unwrap()
        .labels
        .as_ref()
        .unwrap();
    let selector = spread
        .label_selector
        .as_ref()
        .unwrap()
        .match_labels
        .as_ref()
        .unwrap();
    assert!(
        selector.iter().all(|(k, v)| labels.get(k) == Some(v)),
        "it selects the run's own pods"
    );
    let args = container.args.as_ref().unwrap();
    assert_eq!(after(args, "--segments"), n.to_string());
    assert_eq!(after(args, "--run-id"), "shop-1");
    assert_eq!(after(args, "--start-at"), "1795000000");
    assert_eq!(
        after(args, "--report"),
        "/reports/shop-1/seg-{segment}.json"
    );
    assert_eq!(after(args, "--artifact"), "/loadtest");
    let mounted = |pod: &PodSpec, container: &Container| {
        let mount = &container.volume_mounts.as_ref().unwrap()[0];
        let volume = pod
            .volumes
            .as_ref()
            .unwrap()
            .iter()
            .find(|v| v.name == mount.name)
            .unwrap();
        (
            mount.mount_path.clone(),
            volume
                .persistent_volume_claim
                .as_ref()
                .unwrap()
                .claim_name
                .clone(),
        )
    };
    assert_eq!(
        mounted(pod, container),
        ("/reports".to_owned(), pvc_name.clone())
    );

    let merge_spec = merge.spec.as_ref().unwrap();
    assert_eq!(
        merge_spec.backoff_limit,
        Some(0),
        "a verdict is not retried"
    );
    let (merge_pod, merger) = pod_of(&merge);
    assert_eq!(
        mounted(merge_pod, merger),
        ("/reports".to_owned(), pvc_name)
    );
    let merge_args = merger.args.as_ref().unwrap();
    assert_eq!(merge_args[..2], ["merge", "/reports/shop-1"]);
    assert_eq!(after(merge_args, "--expect"), n.to_string());
    assert!(merge_args.iter().any(|a| a == "--wait"));
    assert_eq!(container.command, merger.command, "one image, one runner");
}

/// The manifest's own arguments, with its image's paths, test and plan made local ones.
fn local(args: &[String], artifact: &Path, reports: &Path, plan: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip = 0;
    for (i, arg) in args.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        match arg.as_str() {
            "/loadtest" => out.push(artifact.display().to_string()),
            "shop::checkout" => {
                out.push("fixture::get".to_owned());
                out.extend(plan.iter().map(|a| (*a).to_owned()));
                // The manifest's plan, `-u 500 -d 10m`, is not for a test machine.
                skip = args[i + 1..]
                    .iter()
                    .take_while(|a| !a.starts_with("--"))
                    .count();
            }
            _ => out.push(arg.replace("/reports", &reports.display().to_string())),
        }
    }
    out
}

#[test]
fn the_manifests_own_arguments_run_as_local_pods_and_merge() {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("fixture::get", "kubernetes");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (_, segments, merge) = manifest("k8s-local", &(now + 5).to_string());
    let n = segments.spec.as_ref().unwrap().completions.unwrap();
    let plan = ["-u", "10", "-c", "2", "--server-url", &url];
    let args = local(
        pod_of(&segments).1.args.as_ref().unwrap(),
        &dir,
        &reports,
        &plan,
    );
    let runner = dir.join("cargo-loadrun");
    let runs = run_all(
        (0..n)
            .map(|index| {
                let mut command = std::process::Command::new(&runner);
                command
                    .args(&args)
                    .env("JOB_COMPLETION_INDEX", index.to_string())
                    .current_dir(&reports);
                without_toolchain(&mut command);
                command
            })
            .collect(),
    );
    for run in &runs {
        assert_eq!(run.code, 0, "{run}");
    }
    assert_eq!(
        server.counts().requests,
        20,
        "10 users × 2 hits over {n} pods"
    );
    let merge_args = local(pod_of(&merge).1.args.as_ref().unwrap(), &dir, &reports, &[]);
    let merged: Run = finish({
        let mut command = std::process::Command::new(&runner);
        command
            .args(&merge_args)
            .arg("--no-history")
            .current_dir(&reports);
        without_toolchain(&mut command);
        command
    });
    assert_eq!(merged.code, 0, "{merged}");
    assert_eq!(merged.figure("Hits"), 20, "{merged}");
    assert!(
        merged.stdout.contains(&format!("{n} of {n} merged")),
        "{merged}"
    );
    assert!(reports.join("k8s-local/merged.html").is_file());
}
