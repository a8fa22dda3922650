//! Saved plans: `[profile.NAME]` tables of `loadcase.toml` in the test's package, chosen with
//! `--profile NAME`. Flags given on the command line override the profile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

/// The file's name.
pub const FILE: &str = "loadcase.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profile: BTreeMap<String, Profile>,
}

/// A number or a colon-separated list, as on the command line (`users = 10` or `"10:20"`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
enum Count {
    Number(u64),
    Text(String),
}

impl Count {
    fn text(self) -> String {
        match self {
            Count::Number(n) => n.to_string(),
            Count::Text(t) => t,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    users: Option<Count>,
    hits: Option<Count>,
    duration: Option<String>,
    server_url: Option<String>,
    #[serde(default)]
    thresholds: Vec<String>,
    #[serde(default)]
    reports: Vec<PathBuf>,
}

/// What a profile sets, as command-line strings, ready to be overridden by flags.
#[derive(Debug, Default, PartialEq)]
pub struct Settings {
    pub users: Option<String>,
    pub hits: Option<String>,
    pub duration: Option<String>,
    pub server_url: Option<String>,
    pub thresholds: Vec<String>,
    /// Relative paths are relative to the file's directory.
    pub reports: Vec<PathBuf>,
}

/// The first `loadcase.toml` among `dirs` (the test's package, then the workspace root).
pub fn find(dirs: &[&Path]) -> Option<PathBuf> {
    dirs.iter()
        .map(|d| d.join(FILE))
        .find(|path| path.is_file())
}

/// Reads profile `name` from `path`.
pub fn load(path: &Path, name: &str) -> Result<Settings> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&text, name, path)
}

fn parse(text: &str, name: &str, path: &Path) -> Result<Settings> {
    let file: File = toml::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{}: {}; a profile takes users, hits, duration, server_url, thresholds and reports",
            path.display(),
            e.to_string().trim_end()
        )
    })?;
    let Some(profile) = file.profile.get(name) else {
        let known: Vec<&str> = file.profile.keys().map(String::as_str).collect();
        let known = if known.is_empty() {
            "it defines none".to_owned()
        } else {
            format!("it defines {}", known.join(", "))
        };
        bail!(
            "--profile {name}: no [profile.{name}] in {}; {known}",
            path.display()
        );
    };
    if profile.hits.is_some() && profile.duration.is_some() {
        bail!(
            "{}: [profile.{name}] sets both hits and duration; keep one",
            path.display()
        );
    }
    let base = path.parent().unwrap_or(Path::new("."));
    Ok(Settings {
        users: profile.users.clone().map(Count::text),
        hits: profile.hits.clone().map(Count::text),
        duration: profile.duration.clone(),
        server_url: profile.server_url.clone(),
        thresholds: profile.thresholds.clone(),
        reports: profile.reports.iter().map(|r| base.join(r)).collect(),
    })
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn a_profile_reads_as_command_line_strings() {
        let s = parse(SAMPLE, "smoke", Path::new("/w/pkg/loadcase.toml")).unwrap();
        assert_eq!(s.users.as_deref(), Some("10"));
        assert_eq!(s.hits.as_deref(), Some("5:5"));
        assert_eq!(s.thresholds, ["p95<200ms", "error_rate<1%"]);
        assert_eq!(s.reports, [PathBuf::from("/w/pkg/target/smoke.json")]);
        let soak = parse(SAMPLE, "soak", Path::new("loadcase.toml")).unwrap();
        assert_eq!(soak.duration.as_deref(), Some("10m"));
    }

    #[test]
    fn unknown_keys_and_profiles_are_named() {
        let error = parse("[profile.x]\nuser = 3\n", "x", Path::new("l.toml"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `user`"), "{error}");
        assert!(error.contains("line 2"), "{error}");
        let error = parse(SAMPLE, "smok", Path::new("l.toml"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("no [profile.smok]"), "{error}");
        assert!(error.contains("it defines smoke, soak"), "{error}");
        let error = parse("[profiles.x]\n", "x", Path::new("l.toml"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `profiles`"), "{error}");
        let error = parse(
            "[profile.x]\nhits = 1\nduration = \"1s\"\n",
            "x",
            Path::new("l.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("keep one"), "{error}");
    }
}
