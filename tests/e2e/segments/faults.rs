//! What goes wrong in a split run, and what the merge then says: thresholds judged on the merge
//! only, a segment killed or missing, one too late for the start, reports of another run, bad
//! input refused with exit 2.

use std::process::Stdio;
use std::time::{Duration, Instant};

use loadcase_e2e::{DemoServer, finish, loadrun};

use super::{
    Split, all_ran, from_artifact, indexed_job, json, merge, path, reports_dir, run_all, split,
    start_in,
};

/// Three segments of `-u 10:20:30 --hits 20` (420, 400 and 380 requests) with `threshold`.
fn three_with_threshold(name: &str, threshold: &str) -> (std::path::PathBuf, DemoServer) {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("fixture::get", name);
    let runs = indexed_job(
        &dir,
        &reports,
        3,
        &[
            "fixture::get",
            "-u",
            "10:20:30",
            "--hits",
            "20",
            "--server-url",
            &url,
            "--run-id",
            name,
            "--threshold",
            threshold,
        ],
    );
    for run in &runs {
        assert_eq!(
            run.code, 0,
            "a segment does not judge its thresholds: {run}"
        );
        assert!(
            run.stdout.contains(&format!(
                "judges the thresholds on the merged figures: {threshold}"
            )),
            "{run}"
        );
        assert!(!run.stdout.contains("Thresholds:"), "{run}");
    }
    (reports, server)
}

#[test]
fn a_threshold_every_segment_meets_alone_can_break_on_the_merge() {
    let (reports, _server) = three_with_threshold("meets-alone", "requests<500");
    for k in 1..=3 {
        let count = json(&reports.join(format!("seg-{k}.json")))["figures"]["overall"]["count"]
            .as_u64()
            .unwrap();
        assert!(
            count < 500,
            "segment {k} alone meets requests<500 with {count}"
        );
    }
    let merged = merge(&[path(&reports)]);
    assert_eq!(merged.code, 3, "broken on the merged 1200: {merged}");
    assert!(merged.stdout.contains("✗ requests<500"), "{merged}");
    assert!(merged.stdout.contains("measured 1200"), "{merged}");
}

#[test]
fn a_threshold_every_segment_breaks_alone_can_hold_on_the_merge() {
    let (reports, _server) = three_with_threshold("breaks-alone", "requests>1000");
    let merged = merge(&[path(&reports), "--threshold", "p99<10s"]);
    assert_eq!(merged.code, 0, "{merged}");
    assert!(
        merged.stdout.contains("Thresholds: 2 met, 0 broken"),
        "{merged}"
    );
    assert!(merged.stdout.contains("✓ requests>1000"), "{merged}");
}

#[test]
fn a_segment_killed_mid_run_leaves_its_report_and_the_merge_names_it() {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("fixture::get", "killed");
    let args = [
        "fixture::get",
        "-u",
        "3",
        "-d",
        "4s",
        "--server-url",
        &url,
        "--run-id",
        "killed",
        "--segments",
        "3",
    ];
    let mut children: Vec<_> = (0..3)
        .map(|index| {
            let mut command = from_artifact(&dir, &reports, &args);
            command
                .arg("--report")
                .arg(reports.join("seg-{segment}.json"))
                .env("JOB_COMPLETION_INDEX", index.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            command.spawn().expect("start a segment")
        })
        .collect();
    // Once segment 2 has rewritten its report while running, it dies as a node would.
    let live = reports.join("seg-2.json");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(live.exists() && json(&live)["segment_run"]["live"] == true) {
        assert!(
            Instant::now() < deadline,
            "segment 2 never wrote a live report"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    children[1].kill().expect("SIGKILL segment 2's runner");
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    assert_eq!(outputs[1].status.code(), None, "killed by a signal");
    for k in [0, 2] {
        assert_eq!(
            outputs[k].status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&outputs[k].stderr)
        );
    }
    let merged = merge(&[path(&reports)]);
    assert_eq!(merged.code, 6, "a partial merge: {merged}");
    assert!(
        merged.stdout.contains("2/3  ")
            && merged
                .stdout
                .contains("did not finish; it held users 1 of 3 per stage"),
        "{merged}"
    );
    assert!(merged.stdout.contains("PARTIAL"), "{merged}");
    assert!(
        merged
            .stderr
            .contains("a partial merge: partial merge of 2 of 3 segments"),
        "{merged}"
    );
    // What segment 2 measured up to its last rewrite is in; the server saw at least that.
    let hits = merged.figure("Hits");
    assert!(
        hits > 0 && hits <= server.counts().requests,
        "{hits} against {:?}",
        server.counts()
    );

    // Without segment 2's report at all, it is missing, with its share.
    std::fs::remove_file(&live).unwrap();
    let missing = merge(&[path(&reports)]);
    assert_eq!(missing.code, 6, "{missing}");
    assert!(
        missing
            .stdout
            .contains("2/3  missing: no report; it held users 1 of 3 per stage"),
        "{missing}"
    );
    let fewer = merge(&[path(&reports.join("seg-1.json")), "--expect", "3"]);
    assert_eq!(fewer.code, 6, "{fewer}");
    assert!(
        fewer
            .stdout
            .contains("Segments of run `killed`: 1 of 3 merged"),
        "{fewer}"
    );
}

#[test]
fn a_segment_ready_after_the_start_and_its_grace_runs_nothing_and_says_so() {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("fixture::get", "late");
    let past = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 10)
        .to_string();
    let seg = |segment: &str, at: &str| {
        let mut command = from_artifact(
            &dir,
            &reports,
            &[
                "fixture::get",
                "-u",
                "2",
                "-c",
                "1",
                "--server-url",
                &url,
                "--run-id",
                "late",
                "--segment",
                segment,
                "--start-at",
                at,
            ],
        );
        command
            .arg("--report")
            .arg(reports.join("seg-{segment}.json"));
        command
    };
    let late = finish(seg("2/2", &past));
    assert_eq!(late.code, 5, "{late}");
    assert!(
        late.stderr
            .contains("later than its 2s grace, so it ran nothing"),
        "{late}"
    );
    assert_eq!(server.counts().requests, 0, "it sent nothing");
    assert_eq!(json(&reports.join("seg-2.json"))["missed_start"], true);
    let on_time = run_all(vec![seg("1/2", &start_in(2))]);
    assert_eq!(on_time[0].code, 0, "{}", on_time[0]);
    let merged = merge(&[path(&reports)]);
    assert_eq!(merged.code, 6, "{merged}");
    assert!(merged.stdout.contains("2/2  0 hits"), "{merged}");
    assert!(
        merged
            .stdout
            .contains("did not finish; it held users 1 of 2 per stage, 1 hits"),
        "{merged}"
    );
}

#[test]
fn reports_of_another_run_or_plan_are_refused() {
    let Split {
        server: _server,
        dir,
        reports,
        url,
    } = split("fixture::get", "mismatch");
    let runs = run_all(
        [
            ("1/2", "run-a", "2"),
            ("2/2", "run-b", "2"),
            ("2/2", "run-a", "3"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (segment, id, hits))| {
            let mut command = from_artifact(
                &dir,
                &reports,
                &[
                    "fixture::get",
                    "-u",
                    "2",
                    "-c",
                    hits,
                    "--server-url",
                    &url,
                    "--run-id",
                    id,
                    "--segment",
                    segment,
                ],
            );
            // Each to its own file, so that the three can be given in pairs.
            command
                .arg("--report")
                .arg(reports.join(format!("r{i}.json")));
            command
        })
        .collect(),
    );
    all_ran(&runs);
    let file = |i: usize| {
        reports
            .join(format!("r{i}.json"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let other_run = merge(&[&file(0), &file(1)]);
    assert_eq!(other_run.code, 2, "{other_run}");
    assert!(
        other_run.stderr.contains("is of run `run-b`"),
        "{other_run}"
    );
    assert!(
        other_run
            .stderr
            .contains("merge the reports of one run (the same --run-id)"),
        "{other_run}"
    );
    let other_plan = merge(&[&file(0), &file(2)]);
    assert_eq!(other_plan.code, 2, "{other_plan}");
    assert!(
        other_plan.stderr.contains("ran another plan or test"),
        "{other_plan}"
    );
    let twice = merge(&[&file(0), &file(0)]);
    assert!(twice.stderr.contains("segment 1/2 again"), "{twice}");
}

#[test]
fn bad_distributed_input_is_refused_before_anything_runs() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 7] = [
        (
            &["--segment", "3/2"],
            &[],
            "--segment: `3/2` is not a segment",
        ),
        (
            &["--segments", "3", "--run-id", "x"],
            &[],
            "nothing to take this process's segment from",
        ),
        (
            &["--segments", "3", "--run-id", "x"],
            &[("JOB_COMPLETION_INDEX", "3")],
            "JOB_COMPLETION_INDEX is 3, but --segments 3 has indexes 0 to 2",
        ),
        (
            &["--segments", "auto", "--run-id", "x"],
            &[("SLURM_PROCID", "0")],
            "--segments auto takes the number of segments from SLURM_NTASKS",
        ),
        (&["--segment", "1/2"], &[], "a segment needs --run-id ID"),
        (
            &["--segment", "1/2", "--run-id", "x", "--start-at", "soon"],
            &[],
            "--start-at: `soon` is not a time",
        ),
        (
            &["--segment", "1/2", "--run-id", "x", "--compare", "last"],
            &[],
            "compare the merged run",
        ),
    ];
    for (args, vars, wanted) in cases {
        let mut command = loadrun(&[&["fixture::get", "-u", "2"][..], args].concat());
        command
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("SLURM_PROCID")
            .env_remove("SLURM_NTASKS");
        for (k, v) in vars {
            command.env(k, v);
        }
        let run = finish(command);
        assert_eq!(run.code, 2, "{args:?}: {run}");
        assert!(
            run.stderr.contains(wanted),
            "{args:?}: no `{wanted}` in {run}"
        );
        assert!(!run.stderr.contains("panicked"), "{run}");
    }
    let dir = reports_dir("bad-merge");
    std::fs::write(dir.join("junk.json"), "{ not json").unwrap();
    for (args, wanted) in [
        (
            vec![path(&dir.join("junk.json")).to_owned()],
            "is not a JSON report of cargo loadrun",
        ),
        (
            vec![path(&dir.join("none.json")).to_owned()],
            "no such file or directory",
        ),
        (
            vec![path(&dir).to_owned(), "--expect".into(), "0".into()],
            "--expect 0",
        ),
        (
            vec![path(&dir).to_owned(), "--wait".into(), "soon".into()],
            "--wait: `soon` is not a duration",
        ),
        (vec![path(&dir).to_owned()], "no segment reports in"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = merge(&args);
        assert_eq!(run.code, 2, "{args:?}: {run}");
        assert!(
            run.stderr.contains(wanted),
            "{args:?}: no `{wanted}` in {run}"
        );
    }
}
