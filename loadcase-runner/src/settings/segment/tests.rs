use super::*;

fn options(
    segment: Option<&str>,
    segments: Option<&str>,
    run_id: Option<&str>,
) -> DistributedOptions {
    DistributedOptions {
        segment: segment.map(str::to_owned),
        segments: segments.map(str::to_owned),
        run_id: run_id.map(str::to_owned),
        ..DistributedOptions::default()
    }
}

fn with_env(options: &DistributedOptions, vars: &[(&str, &str)]) -> Result<Distributed, String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    resolve(options, &|name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .map_err(|e| format!("{e:#}"))
}

fn segment_of(segments: &str, vars: &[(&str, &str)]) -> Result<String, String> {
    with_env(&options(None, Some(segments), Some("r")), vars)
        .map(|d| format!("{} {}", d.segment, d.from))
}

#[test]
fn k_comes_from_the_engine_zero_based() {
    assert_eq!(
        segment_of("3", &[("JOB_COMPLETION_INDEX", "0")]).unwrap(),
        "1/3 JOB_COMPLETION_INDEX"
    );
    assert_eq!(
        segment_of("3", &[("JOB_COMPLETION_INDEX", "2")]).unwrap(),
        "3/3 JOB_COMPLETION_INDEX"
    );
    assert_eq!(
        segment_of("3", &[("SLURM_PROCID", "1"), ("SLURM_NTASKS", "3")]).unwrap(),
        "2/3 SLURM_PROCID"
    );
    assert_eq!(
        segment_of("auto", &[("SLURM_PROCID", "4"), ("SLURM_NTASKS", "5")]).unwrap(),
        "5/5 SLURM_PROCID"
    );
    // Both engines agreeing is no conflict.
    assert_eq!(
        segment_of("2", &[("SLURM_PROCID", "1"), ("JOB_COMPLETION_INDEX", "1")]).unwrap(),
        "2/2 JOB_COMPLETION_INDEX"
    );
}

#[test]
fn nothing_to_take_k_from_or_k_out_of_range_is_refused_with_the_fix() {
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case; 8] = [
        (
            "3",
            &[],
            &[
                "nothing to take this process's segment from",
                "JOB_COMPLETION_INDEX",
                "SLURM_PROCID",
                "--segment K/N",
            ],
        ),
        (
            "3",
            &[("JOB_COMPLETION_INDEX", "3")],
            &[
                "JOB_COMPLETION_INDEX is 3, but --segments 3 has indexes 0 to 2",
                "completions",
            ],
        ),
        (
            "3",
            &[("SLURM_PROCID", "1"), ("SLURM_NTASKS", "4")],
            &["runs 4 tasks", "srun -n 3"],
        ),
        (
            "auto",
            &[("SLURM_PROCID", "0")],
            &["SLURM_NTASKS, which is not set", "--segments N"],
        ),
        (
            "auto",
            &[("JOB_COMPLETION_INDEX", "0"), ("SLURM_NTASKS", "2")],
            &["nothing to take"],
        ),
        (
            "0",
            &[("JOB_COMPLETION_INDEX", "0")],
            &["`0` is not a number of segments"],
        ),
        (
            "3",
            &[("JOB_COMPLETION_INDEX", "x")],
            &["JOB_COMPLETION_INDEX is `x`"],
        ),
        (
            "3",
            &[("JOB_COMPLETION_INDEX", "1"), ("SLURM_PROCID", "2")],
            &["which one is this process"],
        ),
    ];
    for (segments, vars, wanted) in cases {
        let message = segment_of(segments, vars).unwrap_err();
        for part in wanted {
            assert!(
                message.contains(part),
                "--segments {segments} {vars:?}: no `{part}` in {message}"
            );
        }
    }
    let message = with_env(&options(Some("4/3"), None, Some("r")), &[]).unwrap_err();
    assert!(
        message.starts_with("--segment: `4/3` is not a segment"),
        "{message}"
    );
}

#[test]
fn a_segment_needs_a_run_id_and_its_seed_is_the_same_everywhere() {
    let message = with_env(&options(Some("1/2"), None, None), &[]).unwrap_err();
    assert!(message.contains("a segment needs --run-id ID"), "{message}");
    for bad in ["", "  ", "a\nb"] {
        let message = with_env(&options(Some("1/2"), None, Some(bad)), &[]).unwrap_err();
        assert!(message.starts_with("--run-id"), "{bad:?}: {message}");
    }
    let whole = with_env(&options(None, None, None), &[]).unwrap();
    assert!(!whole.segmented() && whole.segment.is_whole());
    let a = with_env(&options(Some("1/2"), None, Some("run-7")), &[]).unwrap();
    let plan = a
        .apply("-u 4 -c 1 --ramp-up 1s --ramp random".parse().unwrap())
        .unwrap();
    assert_eq!(plan.seed, Some(seed_of("run-7")));
    assert_eq!(plan.run_id.as_deref(), Some("run-7"));
    assert_eq!(plan.segment.to_string(), "1/2");
    assert_ne!(seed_of("run-7"), seed_of("run-8"));
    // Pinned: segments built by different runner builds must draw alike.
    assert_eq!(seed_of("run-7"), seed_of(&String::from("run-7")));
    assert_eq!(
        a.expand(Path::new("out/seg-{segment}.json")),
        Path::new("out/seg-1.json")
    );
    let message = format!(
        "{:#}",
        a.apply("--rate 10/s -d 1s --max-users 1".parse().unwrap())
            .unwrap_err()
    );
    assert!(message.contains("--max-users 2"), "{message}");
}

#[test]
fn start_times_read_as_rfc_3339_or_unix_seconds() {
    let now = Duration::from_secs(1_795_000_000);
    for (text, ms) in [
        ("1795000060", 1_795_000_060_000),
        ("1795000060.25", 1_795_000_060_250),
        ("2026-11-18T11:06:40Z", 1_795_000_000_000),
        ("2026-11-18T12:06:40+01:00", 1_795_000_000_000),
        // In the past is taken: the segment finds out, once ready, that it missed the start.
        ("1794999000", 1_794_999_000_000),
    ] {
        assert_eq!(parse_start_at(text, now).unwrap(), ms, "{text}");
    }
    for (bad, wanted) in [
        ("tomorrow", "is not a time"),
        ("-5", "is not a time"),
        ("1795000060000", "not milliseconds"),
        ("2026-13-01T00:00:00Z", "is not a time"),
    ] {
        let message = format!("{:#}", parse_start_at(bad, now).unwrap_err());
        assert!(message.starts_with("--start-at"), "{bad}: {message}");
        assert!(message.contains(wanted), "{bad}: {message}");
    }
}
