use super::*;

const SAMPLE: &str = r#"
[profile.smoke]
users = 10
hits = "5:5"
server_url = "http://127.0.0.1:8080"
thresholds = ["p95<200ms", "error_rate<1%"]
reports = ["target/smoke.json"]

[profile.soak]
users = "50"
duration = "10m"
"#;

fn error(text: &str, name: &str) -> String {
    parse(text, name, Path::new("l.toml"))
        .unwrap_err()
        .to_string()
}

#[test]
fn a_profile_reads_as_command_line_strings() {
    let s = parse(SAMPLE, "smoke", Path::new("/w/pkg/loadcase.toml")).unwrap();
    assert_eq!(s.plan(PlanField::Users), Some("10"));
    assert_eq!(s.plan(PlanField::Hits), Some("5:5"));
    assert_eq!(s.plan(PlanField::Duration), None);
    assert_eq!(
        s.thresholds,
        Some(Value {
            value: vec!["p95<200ms".to_owned(), "error_rate<1%".to_owned()],
            line: 6
        })
    );
    assert_eq!(
        s.reports.unwrap().value,
        [PathBuf::from("/w/pkg/target/smoke.json")]
    );
    assert_eq!(s.server_url.unwrap().line, 5);
    let soak = parse(SAMPLE, "soak", Path::new("loadcase.toml")).unwrap();
    assert_eq!(soak.plan(PlanField::Duration), Some("10m"));
}

#[test]
fn every_plan_option_has_a_key() {
    // Hits and duration do not go together; every other option is set, one a line after the
    // table's header.
    let fields: Vec<PlanField> = PlanField::ALL
        .into_iter()
        .filter(|f| *f != PlanField::Hits)
        .collect();
    let mut text = String::from("[profile.all]\n");
    for (i, field) in fields.iter().enumerate() {
        text.push_str(&format!("{} = \"value {i}\"\n", field.key()));
    }
    let profile = parse(&text, "all", Path::new("l.toml")).unwrap();
    for (i, field) in fields.iter().enumerate() {
        assert_eq!(
            profile.plan(*field),
            Some(format!("value {i}").as_str()),
            "{}",
            field.key()
        );
        assert_eq!(
            profile.origin_of(*field),
            format!("l.toml:{} [profile.all] {}", i + 2, field.key())
        );
    }
    // Numbers are written as the command line would take them.
    let profile = parse(
        "[profile.n]\nmax_users = 200\nrate = \"100/s\"\nduration = 60\n",
        "n",
        Path::new("l.toml"),
    )
    .unwrap();
    assert_eq!(profile.plan(PlanField::MaxUsers), Some("200"));
    assert_eq!(profile.plan(PlanField::Duration), Some("60"));
}

#[test]
fn unknown_keys_and_profiles_are_named() {
    let message = error("[profile.x]\nuser = 3\n", "x");
    assert!(message.contains("unknown field `user`"), "{message}");
    assert!(message.contains("l.toml:2"), "{message}");
    assert!(
        message.contains("ramp_up") && message.contains("request_timeout"),
        "{message}"
    );
    // The flag's spelling is not a key.
    let message = error("[profile.x]\n\n\nramp-up = \"5s\"\n", "x");
    assert!(
        message.contains("l.toml:4: unknown field `ramp-up`"),
        "{message}"
    );
    let message = error(SAMPLE, "smok");
    assert!(message.contains("no [profile.smok]"), "{message}");
    assert!(message.contains("it defines smoke, soak"), "{message}");
    let message = error("[profiles.x]\n", "x");
    assert!(message.contains("unknown field `profiles`"), "{message}");
    let message = error("[profile.x]\nhits = 1\nduration = \"1s\"\n", "x");
    assert!(message.contains("keep one"), "{message}");
}

#[test]
fn values_of_the_wrong_kind_are_named_with_their_line() {
    let message = error("[profile.x]\nusers = 1\nrate = [1]\n", "x");
    assert!(
        message.starts_with("l.toml:3 [profile.x] rate: give a string or a number"),
        "{message}"
    );
    let message = error("[profile.x]\nthresholds = \"p95<1s\"\n", "x");
    assert!(
        message.starts_with("l.toml:2 [profile.x] thresholds: give a list of strings"),
        "{message}"
    );
    let message = error("[profile.x]\nserver_url = 8080\n", "x");
    assert!(
        message.starts_with("l.toml:2 [profile.x] server_url"),
        "{message}"
    );
}

#[test]
fn tls_keys_take_a_path_relative_to_the_file_and_a_bool() {
    let text = "[profile.tls]\nca_cert = \"certs/ca.pem\"\ninsecure = false\n";
    let profile = parse(text, "tls", Path::new("/w/pkg/loadcase.toml")).unwrap();
    assert_eq!(
        profile.ca_cert,
        Some(Value {
            value: PathBuf::from("/w/pkg/certs/ca.pem"),
            line: 2
        })
    );
    assert_eq!(
        profile.insecure,
        Some(Value {
            value: false,
            line: 3
        })
    );
    assert_eq!(
        error("[profile.tls]\ninsecure = \"yes\"\n", "tls"),
        "l.toml:2 [profile.tls] insecure: give true or false, e.g. insecure = true"
    );
    let not_a_path = error("[profile.tls]\nca_cert = 1\n", "tls");
    assert!(
        not_a_path.starts_with("l.toml:2 [profile.tls] ca_cert: give the path of a PEM file"),
        "{not_a_path}"
    );
}
