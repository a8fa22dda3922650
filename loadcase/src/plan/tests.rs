use std::time::Duration;

use super::*;
use crate::Plan;
use crate::plan::args::PlanArgs;

/// The users and length of stages of users.
fn fixed(plan: &Plan) -> (&Vec<u32>, &Length) {
    match &plan.shape {
        Shape::Fixed { users, length, .. } => (users, length),
        other => panic!("not stages of users: {other:?}"),
    }
}

#[test]
fn loads_stages_multiply_out() {
    let plan = Plan::parse(Some("10:20:30"), Some("20"), None).unwrap();
    assert_eq!(fixed(&plan).0, &vec![10, 20, 30]);
    assert_eq!(plan.total_hits(), Some(1200));
    let plan = Plan::parse(Some("100"), Some("10"), None).unwrap();
    assert_eq!(plan.total_hits(), Some(1000));
    let plan = Plan::parse(Some("2:3"), Some("5:10"), None).unwrap();
    assert_eq!(plan.hits_per_user(), Some(15));
    assert_eq!(plan.total_hits(), Some(75));
}

#[test]
fn defaults_are_one_user_one_hit() {
    assert_eq!(Plan::parse(None, None, None).unwrap(), Plan::once());
}

#[test]
fn duration_mode() {
    let plan = Plan::parse(Some("5:5"), None, Some("10s")).unwrap();
    assert_eq!(fixed(&plan).1, &Length::Duration(Duration::from_secs(10)));
    assert_eq!(plan.total_hits(), None);
    assert_eq!(plan.total_duration(), Some(Duration::from_secs(20)));
    for (text, want) in [
        ("30", 30_000),
        ("1.5", 1_500),
        ("2m", 120_000),
        ("1m30s", 90_000),
        ("500ms", 500),
        ("1h", 3_600_000),
    ] {
        assert_eq!(
            parse_duration(text).unwrap(),
            Duration::from_millis(want),
            "{text}"
        );
    }
}

#[test]
fn bad_users_name_the_stage() {
    let err = Plan::parse(Some("10:x:30"), None, None).unwrap_err();
    assert_eq!(
        err,
        PlanError::Users {
            value: "x".into(),
            list: "10:x:30".into()
        }
    );
    assert!(err.to_string().contains("-u 10:20:30"));
    assert!(matches!(
        Plan::parse(Some("0"), None, None),
        Err(PlanError::Users { .. })
    ));
    assert!(matches!(
        Plan::parse(Some("-3"), None, None),
        Err(PlanError::Users { .. })
    ));
    assert!(matches!(
        Plan::parse(Some("10:"), None, None),
        Err(PlanError::Users { .. })
    ));
}

#[test]
fn bad_hits_and_durations() {
    assert!(matches!(
        Plan::parse(None, Some("-1"), None),
        Err(PlanError::Hits { .. })
    ));
    assert!(matches!(
        Plan::parse(None, Some("0"), None),
        Err(PlanError::Hits { .. })
    ));
    assert_eq!(
        Plan::parse(None, None, Some("abc")),
        Err(PlanError::Duration {
            field: PlanField::Duration,
            value: "abc".into(),
            problem: DurationProblem::Malformed
        })
    );
    assert_eq!(
        Plan::parse(None, None, Some("0s")),
        Err(PlanError::Duration {
            field: PlanField::Duration,
            value: "0s".into(),
            problem: DurationProblem::Zero
        })
    );
    assert_eq!(
        Plan::parse(None, None, Some("-5")),
        Err(PlanError::Duration {
            field: PlanField::Duration,
            value: "-5".into(),
            problem: DurationProblem::Malformed
        })
    );
    assert_eq!(
        Plan::parse(None, Some("3"), Some("1s")),
        Err(PlanError::Conflict {
            first: PlanField::Hits,
            second: PlanField::Duration,
            why: "give a number of hits per user, or a duration per stage"
        })
    );
}

#[test]
fn absurd_sizes_are_errors_not_overflows() {
    for huge in [
        "1e20",
        "1e19",
        "inf",
        "NaN",
        "400days",
        "9999999999999999999s",
    ] {
        let err = Plan::parse(None, None, Some(huge)).unwrap_err();
        assert!(
            matches!(
                err,
                PlanError::Duration {
                    field: PlanField::Duration,
                    ..
                }
            ),
            "{huge}: {err}"
        );
    }
    assert!(parse_duration("365days").is_ok());
    let max = u64::MAX.to_string();
    assert_eq!(
        Plan::parse(None, Some(&format!("{max}:1")), None),
        Err(PlanError::TooManyHits)
    );
    assert_eq!(
        Plan::parse(Some("2"), Some(&max), None),
        Err(PlanError::TooManyHits)
    );
    assert!(Plan::parse(Some("1"), Some(&max), None).is_ok());
}

#[test]
fn plans_travel_as_json() {
    let mut plan = Plan::parse(Some("1:2"), None, Some("1.5s")).unwrap();
    plan.server_url = Some("http://127.0.0.1:1".into());
    let back: Plan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn tls_options_travel_as_json_and_older_plans_lack_them() {
    let mut plan = Plan::once();
    let plain = serde_json::to_string(&plan).unwrap();
    assert!(
        !plain.contains("ca_cert") && !plain.contains("insecure"),
        "left out unless set, so older readers see the plan they know: {plain}"
    );
    plan.ca_cert = Some("/etc/ssl/ca.pem".into());
    plan.insecure = true;
    let text = serde_json::to_string(&plan).unwrap();
    assert!(text.contains(r#""ca_cert":"/etc/ssl/ca.pem""#), "{text}");
    assert!(text.contains(r#""insecure":true"#), "{text}");
    assert_eq!(serde_json::from_str::<Plan>(&text).unwrap(), plan);
    let older: Plan = serde_json::from_str(&plain).unwrap();
    assert_eq!((older.ca_cert, older.insecure), (None, false));
}

fn args<'a>(pairs: &[(&str, &'a str)]) -> PlanArgs<'a> {
    let mut args = PlanArgs::default();
    for &(name, value) in pairs {
        let slot = match name {
            "u" => &mut args.users,
            "c" => &mut args.hits,
            "d" => &mut args.duration,
            "ramp-up" => &mut args.ramp_up,
            "ramp" => &mut args.ramp,
            "stage-pause" => &mut args.stage_pause,
            "stages" => &mut args.stages,
            "rate" => &mut args.rate,
            "rate-stages" => &mut args.rate_stages,
            "max-users" => &mut args.max_users,
            "max-delay" => &mut args.max_delay,
            "think" => &mut args.think,
            "hit-timeout" => &mut args.hit_timeout,
            "request-timeout" => &mut args.request_timeout,
            other => panic!("no option {other}"),
        };
        *slot = Some(value);
    }
    args
}

#[test]
fn shapes_parse_and_describe_themselves_as_their_options() {
    for given in [
        "-u 10:20 -c 5",
        "-u 50 -d 30s --ramp-up 10s --ramp random",
        "-u 3:5 -c 4 --stage-pause 2s --think 100ms..500ms",
        "--stages '10@30s, 50@2m, 0@30s'",
        "--rate 500/s -d 10s",
        "--rate 20/s --rate-stages '100/s@1m, 500/s@2m' --max-users 50 --max-delay 250ms",
        "--rate-stages '100/s@1m' --hit-timeout 30s --request-timeout 5s",
    ] {
        let plan: Plan = given.parse().unwrap_or_else(|e| panic!("{given}: {e}"));
        assert_eq!(plan.options(), given);
    }
}

#[test]
fn shapes_that_cannot_run_say_why() {
    for (pairs, says) in [
        (&[("rate", "0/s"), ("d", "1s")][..], "is not a rate"),
        (&[("rate", "fast"), ("d", "1s")][..], "is not a rate"),
        (&[("rate", "10/s")][..], "--rate needs a length"),
        (
            &[("rate-stages", "10/s@1s"), ("d", "1s")][..],
            "exclude each other",
        ),
        (&[("stages", "10")][..], "is not USERS@DURATION"),
        (&[("stages", "10@1s, x@2s")][..], "`x@2s`"),
        (&[("stages", "0@1s")][..], "never has a user"),
        (&[("stages", "5@1s"), ("u", "5")][..], "exclude each other"),
        (
            &[("stages", "5@1s"), ("stage-pause", "1s")][..],
            "own duration; drop",
        ),
        (&[("rate", "50/s"), ("c", "10")][..], "its length is -d"),
        (&[("stages", "5@1s"), ("d", "5s")][..], "own duration"),
        (&[("stages", "5@1s"), ("rate", "5/s")][..], "pick one"),
        (&[("think", "5s..1s")][..], "is not a pause"),
        (&[("max-users", "5")][..], "needs the open model"),
        (
            &[("rate", "5/s"), ("d", "1s"), ("max-users", "0")][..],
            "--max-users",
        ),
        (&[("ramp", "random")][..], "--ramp needs --ramp-up"),
        (&[("ramp-up", "1s"), ("ramp", "sideways")][..], "`sideways`"),
        (
            &[("u", "2"), ("d", "1s"), ("ramp-up", "5s")][..],
            "longer than each stage",
        ),
        (
            &[("rate", "5/s"), ("d", "1s"), ("think", "1s")][..],
            "exclude each other",
        ),
        (&[("hit-timeout", "soon")][..], "`soon` is not a duration"),
    ] {
        let err = Plan::parse_args(&args(pairs)).unwrap_err().to_string();
        assert!(err.contains(says), "{pairs:?}: `{err}` should say `{says}`");
    }
    let think = Plan::parse_args(&args(&[("think", "0..200ms")])).unwrap();
    assert_eq!(
        think.think().unwrap().min,
        Duration::ZERO,
        "a range may start at 0"
    );
}

#[test]
fn a_constant_rate_puts_each_hit_on_its_own_tick() {
    let plan = Plan::parse_args(&args(&[("rate", "200/s"), ("d", "10s")])).unwrap();
    let Shape::Rate(rate) = plan.shape.clone() else {
        panic!("not a rate: {plan:?}")
    };
    assert_eq!(rate.due(0, 1.0), Some(Duration::ZERO));
    assert_eq!(rate.due(1, 1.0), Some(Duration::from_millis(5)));
    let last = rate.due(1999, 1.0).unwrap();
    assert!((last.as_secs_f64() - 9.995).abs() < 1e-9, "{last:?}");
    assert_eq!(rate.due(2000, 1.0), None, "10 s at 200/s is 2000 hits");
    // A test with a quarter of a mix gets every fourth tick.
    assert_eq!(rate.due(1, 0.25), Some(Duration::from_millis(20)));
    assert_eq!(rate.due(500, 0.25), None);
    assert_eq!(plan.total_duration(), Some(Duration::from_secs(10)));
    assert_eq!(plan.total_hits(), None);
}

#[test]
fn a_ramped_rate_integrates_to_its_hits() {
    let plan = Plan::parse_args(&args(&[("rate-stages", "50/s@2s, 100/s@2s, 0/s@1s")])).unwrap();
    let Shape::Rate(rate) = plan.shape else {
        panic!("not a rate")
    };
    // 0 → 50/s over 2 s is 50 hits; 50 → 100/s over 2 s is 150; 100 → 0 over 1 s is 50.
    assert!((rate.due_by(Duration::from_secs(2)) - 50.0).abs() < 1e-9);
    assert!((rate.due_by(Duration::from_secs(4)) - 200.0).abs() < 1e-9);
    assert!((rate.due_by(Duration::from_secs(5)) - 250.0).abs() < 1e-9);
    let mut last = Duration::ZERO;
    for k in 1..250 {
        let due = rate.due(k, 1.0).unwrap();
        assert!(due >= last, "hits are due in order");
        assert!(
            (rate.due_by(due) - k as f64).abs() < 1e-6,
            "hit {k} is due when the integral reaches it"
        );
        last = due;
    }
    assert_eq!(rate.due(250, 1.0), None);
    // The rate rises through the first stage: the gaps shrink.
    let gap = |k| rate.due(k + 1, 1.0).unwrap() - rate.due(k, 1.0).unwrap();
    assert!(gap(5) > gap(45));
}

#[test]
fn users_follow_targets_and_ramps_spread_starts() {
    let ten = Duration::from_secs(10);
    assert_eq!(users_at(0, 10, ten, Duration::ZERO), 0);
    assert_eq!(users_at(0, 10, ten, Duration::from_secs(5)), 5);
    assert_eq!(users_at(0, 10, ten, Duration::from_millis(9_999)), 9);
    assert_eq!(users_at(0, 10, ten, ten), 10);
    assert_eq!(users_at(10, 0, ten, Duration::from_millis(1)), 10);
    assert_eq!(users_at(10, 0, ten, Duration::from_secs(5)), 5);
    assert_eq!(users_at(10, 0, ten, ten), 0);
    assert_eq!(users_at(7, 7, ten, Duration::from_secs(3)), 7);

    let linear = Ramp {
        over: Duration::from_secs(4),
        random: false,
    };
    assert_eq!(
        linear.offsets(4, None),
        [0, 1, 2, 3].map(Duration::from_secs).to_vec()
    );
    let random = Ramp {
        over: Duration::from_secs(4),
        random: true,
    };
    let offsets = random.offsets(1000, None);
    assert_eq!(
        random.offsets(50, Some(7)),
        random.offsets(50, Some(7)),
        "one seed, one draw"
    );
    assert!(offsets.windows(2).all(|w| w[0] <= w[1]), "in order");
    assert!(offsets.iter().all(|&o| o < random.over));
    assert!(
        offsets[999] - offsets[0] > Duration::from_secs(3),
        "spread over the ramp"
    );
}

#[test]
fn shaped_plans_travel_as_json() {
    let plan = Plan::parse_args(&args(&[
        ("rate-stages", "10/s@1s, 20/s@1.5s"),
        ("max-delay", "250ms"),
        ("hit-timeout", "2s"),
    ]))
    .unwrap();
    let back: Plan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn a_plan_too_big_for_memory_is_refused_with_what_fits() {
    let gib = 1u64 << 30;
    let plan: Plan = "-u 10000000 -c 1".parse().unwrap();
    assert_eq!(plan.peak_users(), 10_000_000);
    let err = plan.check_memory(Some(24 * gib)).unwrap_err();
    assert_eq!(err.fields(), vec![PlanField::Users]);
    let text = err.to_string();
    assert!(
        text.starts_with("--users: 10000000 users at once would need up to 152.6 GiB"),
        "{text}"
    );
    assert!(
        text.contains("24.0 GiB available; give at most 1572864 users"),
        "{text}"
    );
    assert!(
        plan.check_memory(None).is_ok(),
        "unknown memory refuses nothing"
    );
    assert!(
        "-u 10:20 -c 1"
            .parse::<Plan>()
            .unwrap()
            .check_memory(Some(gib))
            .is_ok()
    );
    let open: Plan = "--rate 10/s -d 1s --max-users 100000000".parse().unwrap();
    assert_eq!(
        open.check_memory(Some(gib)).unwrap_err().fields(),
        vec![PlanField::MaxUsers]
    );
    let ramping: Plan = "--stages '10@1s, 9000000@1s'".parse().unwrap();
    assert_eq!(ramping.peak_users(), 9_000_000);
    assert!(ramping.check_memory(Some(gib)).is_err());
    // Linux says how much it has.
    #[cfg(target_os = "linux")]
    assert!(available_memory().is_some_and(|bytes| bytes > 0));
}
