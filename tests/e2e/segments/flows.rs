//! Each shape split into segments and merged back: the merge is the single-machine plan, exactly.

use loadcase_e2e::{DemoServer, finish, loadrun};

use super::{
    Split, all_ran, indexed_job, json, merge, path, reports_dir, run_all, split, start_in,
    start_skew,
};

#[test]
fn three_segments_of_an_indexed_job_are_the_whole_plan_and_merge_into_it() {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("fixture::get", "three");
    let at = start_in(4);
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
            "three",
            "--start-at",
            &at,
        ],
    );
    for (k, run) in runs.iter().enumerate() {
        assert_eq!(run.code, 0, "segment {}: {run}", k + 1);
        assert!(
            run.stdout
                .contains(&format!("Segment {}/3 of run `three`", k + 1)),
            "{run}"
        );
    }
    // 10, 20 and 30 users over 3 by global user index: 4+7+10, 3+7+10, 3+6+10 users.
    let hits: Vec<u64> = runs.iter().map(|r| r.figure("Hits")).collect();
    assert_eq!(hits, [420, 400, 380]);
    assert_eq!(server.counts().requests, 1200, "1200 in all, not 3600");
    let seg = json(&reports.join("seg-2.json"));
    assert_eq!(
        seg["segment_run"]["live"], false,
        "the final report replaced the live one"
    );
    assert_eq!(seg["plan"]["segment"]["index"], 2);
    assert_eq!(seg["run_id"], "three");

    let merged_json = reports.join("merged.json");
    let merged = merge(&[path(&reports), "--report", path(&merged_json)]);
    assert_eq!(merged.code, 0, "{merged}");
    assert_eq!(merged.figure("Hits"), 1200, "{merged}");
    assert_eq!(merged.figure("Success"), 1200);
    assert_eq!(merged.requests()["GET /es"], (1200, 0), "{merged}");
    assert!(
        merged
            .stdout
            .contains("Segments of run `three`: 3 of 3 merged\n"),
        "{merged}"
    );
    let skew = start_skew(&merged);
    assert!(
        (0.0..0.5).contains(&skew),
        "segments started {skew}s apart:\n{merged}"
    );
    let value = json(&merged_json);
    assert_eq!(value["merge"]["partial"], false);
    assert_eq!(
        value["plan"]["segment"],
        serde_json::Value::Null,
        "the whole plan"
    );
    assert_eq!(value["figures"]["overall"]["count"], 1200);
    // A second merge of the same directory passes over the merged report in it.
    let again = merge(&[path(&reports)]);
    assert_eq!(again.code, 0, "{again}");
    assert_eq!(again.figure("Hits"), 1200);
    eprintln!(
        "three segments of -u 10:20:30 --hits 20: hits {hits:?}, server {} requests, merged {} hits, start skew {skew}s",
        server.counts().requests,
        merged.figure("Hits")
    );
}

#[test]
fn segments_through_cargo_merge_a_duration_run() {
    let server = DemoServer::start_local();
    let reports = reports_dir("duration");
    let url = server.url("");
    let report = reports.join("seg-{segment}.json");
    let commands = (1..=2)
        .map(|k| {
            let segment = format!("{k}/2");
            loadrun(&[
                "fixture::get",
                "-u",
                "3",
                "-d",
                "2s",
                "--server-url",
                &url,
                "--segment",
                &segment,
                "--run-id",
                "duration",
                "--report",
                path(&report),
                "-q",
            ])
        })
        .collect();
    let runs = run_all(commands);
    all_ran(&runs);
    let merged = merge(&[path(&reports), "--expect", "2"]);
    assert_eq!(merged.code, 0, "{merged}");
    let hits = merged.figure("Hits");
    assert!(hits > 0);
    assert_eq!(hits, server.counts().requests, "{merged}");
    assert_eq!(hits, runs.iter().map(|r| r.figure("Hits")).sum::<u64>());
    assert!(
        merged
            .stdout
            .contains("no --start-at: each started when it was ready"),
        "{merged}"
    );
}

#[test]
fn the_open_model_fires_each_arrival_once_across_segments_at_the_whole_rate() {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("fixture::get", "open");
    let at = start_in(4);
    let runs = indexed_job(
        &dir,
        &reports,
        3,
        &[
            "fixture::get",
            "--rate",
            "100/s",
            "-d",
            "3s",
            "--max-users",
            "30",
            "--server-url",
            &url,
            "--run-id",
            "open",
            "--start-at",
            &at,
        ],
    );
    all_ran(&runs);
    let hits: Vec<u64> = runs.iter().map(|r| r.figure("Hits")).collect();
    assert_eq!(hits, [100, 100, 100], "arrivals by global index");
    // No arrival fired twice, none left out: the server saw each of the 300 due once.
    assert_eq!(server.counts().requests, 300);
    let merged = merge(&[path(&reports)]);
    assert_eq!(merged.code, 0, "{merged}");
    assert_eq!(merged.figure("Hits"), 300);
    let line = merged
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("Hits started:"))
        .unwrap_or_else(|| panic!("{merged}"));
    assert!(line.contains("Hits started: 300 of 300 due"), "{line}");
    let rate: f64 = line
        .split('(')
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(
        (rate - 100.0).abs() <= 1.0,
        "merged rate {rate}/s against 100/s"
    );
}

#[test]
fn a_mix_keeps_its_weights_across_segments() {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("mixes::browse", "mix");
    let at = start_in(4);
    let runs = indexed_job(
        &dir,
        &reports,
        3,
        &[
            "mixes::browse:3",
            "mixes::checkout:1",
            "-u",
            "100",
            "-c",
            "2",
            "--server-url",
            &url,
            "--run-id",
            "mix",
            "--start-at",
            &at,
        ],
    );
    all_ran(&runs);
    let routes = server.counts().by_route;
    assert_eq!(
        (routes["GET /"], routes["GET /es"]),
        (150, 50),
        "3:1 overall"
    );
    let merged = merge(&[path(&reports)]);
    assert_eq!(merged.code, 0, "{merged}");
    assert_eq!(merged.requests()["GET /"], (150, 0));
    assert_eq!(merged.requests()["GET /es"], (50, 0));
    assert!(
        merged.stdout.contains("mixes::browse (weight 3 of 4)"),
        "{merged}"
    );
}

#[test]
fn a_unique_dataset_gives_each_row_to_one_segment() {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("datasets::unique_rows", "unique");
    let at = start_in(4);
    // 10 users of 5 hits over 2 segments: 25 hits and 25 of the 50 rows each.
    let runs = indexed_job(
        &dir,
        &reports,
        2,
        &[
            "datasets::unique_rows",
            "-u",
            "10",
            "-c",
            "5",
            "--server-url",
            &url,
            "--run-id",
            "rows",
            "--start-at",
            &at,
        ],
    );
    for run in &runs {
        assert_eq!(run.code, 0, "{run}");
        assert_eq!(run.figure("Success"), 25, "{run}");
    }
    let counts = server.counts();
    for id in 1..=50 {
        assert_eq!(
            counts.by_route.get(&format!("GET /row/{id}")),
            Some(&1),
            "row {id}"
        );
    }
    let merged = merge(&[path(&reports)]);
    assert_eq!((merged.code, merged.figure("Success")), (0, 50), "{merged}");
}

#[test]
fn dry_run_prints_each_segments_share_and_runs_nothing() {
    let mut command = loadrun(&[
        "fixture::get",
        "-u",
        "10:20:30",
        "-c",
        "20",
        "--segments",
        "3",
        "--run-id",
        "dry",
        "--dry-run",
    ]);
    command.env("JOB_COMPLETION_INDEX", "1");
    let run = finish(command);
    assert_eq!(run.code, 0, "{run}");
    for line in [
        "Plan: -u 10:20:30 -c 20 (1200 hits), in 3 segments, run `dry`",
        "  segment 1/3  users 4 of 10, 7 of 20, 10 of 30 per stage, 420 hits",
        "  segment 2/3  users 3 of 10, 7 of 20, 10 of 30 per stage, 400 hits   ← this process",
        "  segment 3/3  users 3 of 10, 6 of 20, 10 of 30 per stage, 380 hits",
        "Nothing was run (--dry-run).",
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "no `{line}` in:\n{run}"
        );
    }
    let open = finish(loadrun(&[
        "fixture::get",
        "--rate",
        "50/s",
        "-d",
        "2s",
        "--max-users",
        "4",
        "--segment",
        "1/3",
        "--run-id",
        "dry",
        "--dry-run",
    ]));
    assert!(
        open.stdout
            .contains("segment 1/3  34 of 100 arrivals, 2 of 4 --max-users"),
        "{open}"
    );
}

#[test]
fn a_merge_started_first_waits_for_every_segments_final_report() {
    let Split {
        server,
        dir,
        reports,
        url,
    } = split("fixture::get", "wait");
    let mut waiting = std::process::Command::new(loadcase_e2e::runner());
    waiting
        .args(["loadrun", "merge"])
        .arg(&reports)
        .args(["--expect", "2", "--wait", "60s", "--no-history"])
        .current_dir(loadcase_e2e::workspace())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let waiting = waiting.spawn().expect("start the merge");
    let at = start_in(3);
    let runs = indexed_job(
        &dir,
        &reports,
        2,
        &[
            "fixture::get",
            "-u",
            "4",
            "-d",
            "3s",
            "--server-url",
            &url,
            "--run-id",
            "wait",
            "--start-at",
            &at,
        ],
    );
    all_ran(&runs);
    let ended = std::time::Instant::now();
    let output = waiting.wait_with_output().expect("wait for the merge");
    let merged = loadcase_e2e::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        ended.elapsed() < std::time::Duration::from_secs(10),
        "it ended with the segments"
    );
    assert_eq!(merged.code, 0, "{merged}");
    assert_eq!(merged.figure("Hits"), server.counts().requests, "{merged}");
    assert!(merged.stdout.contains("2 of 2 merged"), "{merged}");
}

#[test]
fn a_merge_is_one_run_in_the_history_and_compares_with_a_baseline() {
    let Split {
        server: _server,
        dir,
        reports,
        url,
    } = split("fixture::get", "history");
    // The segments are given the history too: a segment records nothing, its merge the run.
    let history = reports.join("history.sqlite");
    let runs = indexed_job(
        &dir,
        &reports,
        2,
        &[
            "fixture::get",
            "-u",
            "4",
            "-c",
            "5",
            "--server-url",
            &url,
            "--run-id",
            "history",
            "--history",
            path(&history),
        ],
    );
    all_ran(&runs);
    assert!(!history.exists(), "no segment recorded itself");
    let merge_into = |extra: &[&str]| {
        let mut command = std::process::Command::new(loadcase_e2e::runner());
        command
            .args(["loadrun", "merge"])
            .arg(&reports)
            .arg("--history")
            .arg(&history)
            .args(extra)
            .current_dir(loadcase_e2e::workspace());
        finish(command)
    };
    let first = merge_into(&[]);
    assert_eq!(first.code, 0, "{first}");
    let second = merge_into(&["--compare", "last"]);
    assert_eq!(second.code, 0, "{second}");
    assert!(second.stdout.contains("Compared with run #1"), "{second}");
    let listed = loadcase_e2e::history(&["--history", path(&history)]);
    let rows: Vec<&str> = listed.stdout.lines().skip(1).collect();
    assert_eq!(
        rows.len(),
        2,
        "one run per merge, none per segment: {listed}"
    );
    assert!(
        rows.iter()
            .all(|r| r.contains("fixture::get") && r.contains(" 20 ")),
        "{listed}"
    );
}
