use super::*;

#[test]
fn loads_stages_multiply_out() {
    let plan = Plan::parse(Some("10:20:30"), Some("20"), None).unwrap();
    assert_eq!(plan.users, vec![10, 20, 30]);
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
    assert_eq!(plan.length, Length::Duration(Duration::from_secs(10)));
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
        Err(PlanError::Duration("abc".into()))
    );
    assert_eq!(
        Plan::parse(None, None, Some("0s")),
        Err(PlanError::ZeroDuration)
    );
    assert_eq!(
        Plan::parse(None, None, Some("-5")),
        Err(PlanError::Duration("-5".into()))
    );
    assert_eq!(
        Plan::parse(None, Some("3"), Some("1s")),
        Err(PlanError::HitsAndDuration)
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
            matches!(err, PlanError::DurationTooLong(_) | PlanError::Duration(_)),
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
