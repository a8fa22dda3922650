//! Saved plans: `[profile.NAME]` tables of `loadcase.toml` in the test's package (or the
//! workspace root), chosen with `--profile NAME`. A profile can set every option of a plan
//! under its [`PlanField::key`] (`users`, `ramp_up`, `rate`, …), the server URL, thresholds and
//! reports; flags given on the command line override it. Each value keeps the line it came
//! from, so that a message about it names the file, the line, the profile and the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use loadcase::plan::PlanField;
use serde::Deserialize;
use toml::Spanned;

/// The file's name.
pub const FILE: &str = "loadcase.toml";

/// The keys a profile takes besides the plan's.
const OTHER_KEYS: [&str; 8] = [
    "server_url",
    "ca_cert",
    "insecure",
    "thresholds",
    "reports",
    "prometheus_remote_write",
    "push_every",
    "notify",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profile: BTreeMap<String, BTreeMap<String, Spanned<toml::Value>>>,
}

/// A value of the profile and the line it is on.
#[derive(Clone, Debug, PartialEq)]
pub struct Value<T> {
    /// As the command line would give it.
    pub value: T,
    /// 1-based.
    pub line: usize,
}

/// A profile as read: each value as a command-line string, ready to be overridden by flags.
#[derive(Debug, Default, PartialEq)]
pub struct Profile {
    /// The file, as it is shown in messages.
    file: String,
    /// `NAME` of `[profile.NAME]`.
    name: String,
    plan: BTreeMap<PlanField, Value<String>>,
    /// The base URL of `cx.app`.
    pub server_url: Option<Value<String>>,
    /// Thresholds, with the line of their list.
    pub thresholds: Option<Value<Vec<String>>>,
    /// Report paths; relative ones are made relative to the file's directory.
    pub reports: Option<Value<Vec<PathBuf>>>,
    /// `--ca-cert`, relative to the file's directory.
    pub ca_cert: Option<Value<PathBuf>>,
    /// `--insecure`.
    pub insecure: Option<Value<bool>>,
    /// `--prometheus-remote-write`.
    pub prometheus_remote_write: Option<Value<String>>,
    /// `--push-every`.
    pub push_every: Option<Value<String>>,
    /// `--notify`: one URL or a list.
    pub notify: Option<Value<Vec<String>>>,
}

impl Profile {
    /// What the profile sets for a plan option.
    pub fn plan(&self, field: PlanField) -> Option<&str> {
        self.plan.get(&field).map(|v| v.value.as_str())
    }

    /// How a message names a value of the profile: `loadcase.toml:7 [profile.ci] ramp_up`.
    pub fn origin(&self, key: &str, line: usize) -> String {
        format!("{}:{line} [profile.{}] {key}", self.file, self.name)
    }

    /// How a message names the plan option `field` of the profile, which must set it.
    pub fn origin_of(&self, field: PlanField) -> String {
        let line = self.plan.get(&field).map_or(0, |v| v.line);
        self.origin(field.key(), line)
    }
}

/// The first `loadcase.toml` among `dirs` (the test's package, then the workspace root).
pub fn find(dirs: &[&Path]) -> Option<PathBuf> {
    dirs.iter()
        .map(|d| d.join(FILE))
        .find(|path| path.is_file())
}

/// Reads profile `name` from `path`.
pub fn load(path: &Path, name: &str) -> Result<Profile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&text, name, path)
}

/// The keys a profile takes, for messages: `users, hits, …, thresholds and reports`.
fn known_keys() -> String {
    let keys: Vec<&str> = PlanField::ALL
        .iter()
        .map(|f| f.key())
        .chain(OTHER_KEYS)
        .collect();
    let (last, init) = keys.split_last().expect("keys");
    format!("{} and {last}", init.join(", "))
}

/// `path` as a message shows it: relative to the current directory when it is below it.
fn shown(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|dir| path.strip_prefix(dir).ok().map(Path::to_owned));
    relative
        .unwrap_or_else(|| path.to_owned())
        .display()
        .to_string()
}

/// Reads profile `name` from `text`, the content of `path`.
pub fn parse(text: &str, name: &str, path: &Path) -> Result<Profile> {
    let file: File = toml::from_str(text).map_err(|e| {
        anyhow!(
            "{}: {}; a profile takes {}",
            path.display(),
            e.to_string().trim_end(),
            known_keys()
        )
    })?;
    let Some(table) = file.profile.get(name) else {
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
    let line_of =
        |value: &Spanned<toml::Value>| text[..value.span().start].matches('\n').count() + 1;
    let mut profile = Profile {
        file: shown(path),
        name: name.to_owned(),
        ..Profile::default()
    };
    let base = path.parent().unwrap_or(Path::new("."));
    for (key, value) in table {
        let line = line_of(value);
        let origin = profile.origin(key, line);
        if let Some(field) = PlanField::ALL.into_iter().find(|f| f.key() == key) {
            let value = scalar(value.get_ref()).ok_or_else(|| {
                anyhow!("{origin}: give a string or a number, as on the command line (`{} 10`, `{key} = \"10\"`)", field.flag())
            })?;
            profile.plan.insert(field, Value { value, line });
            continue;
        }
        match key.as_str() {
            "server_url" => {
                let Some(url) = value.get_ref().as_str() else {
                    bail!(
                        "{origin}: give the URL as a string, e.g. server_url = \"http://127.0.0.1:8080\""
                    );
                };
                profile.server_url = Some(Value {
                    value: url.to_owned(),
                    line,
                });
            }
            "ca_cert" => {
                let Some(file) = value.get_ref().as_str() else {
                    bail!(
                        "{origin}: give the path of a PEM file as a string, e.g. ca_cert = \"certs/ca.pem\" (relative to this file)"
                    );
                };
                let value = base.join(file);
                profile.ca_cert = Some(Value { value, line });
            }
            "insecure" => {
                let Some(value) = value.get_ref().as_bool() else {
                    bail!("{origin}: give true or false, e.g. insecure = true");
                };
                profile.insecure = Some(Value { value, line });
            }
            "prometheus_remote_write" => {
                let Some(url) = value.get_ref().as_str() else {
                    bail!(
                        "{origin}: give the URL as a string, e.g. prometheus_remote_write = \"http://127.0.0.1:9090/api/v1/write\""
                    );
                };
                profile.prometheus_remote_write = Some(Value {
                    value: url.to_owned(),
                    line,
                });
            }
            "push_every" => {
                let value = scalar(value.get_ref()).ok_or_else(|| {
                    anyhow!("{origin}: give a duration as a string, e.g. push_every = \"5s\"")
                })?;
                profile.push_every = Some(Value { value, line });
            }
            "notify" => {
                let list = match value.get_ref().as_str() {
                    Some(url) => Some(vec![url.to_owned()]),
                    None => strings(value.get_ref()),
                };
                let list = list.ok_or_else(|| {
                    anyhow!("{origin}: give a URL or a list of URLs, e.g. notify = [\"https://hooks.example/loadcase\"]")
                })?;
                profile.notify = Some(Value { value: list, line });
            }
            "thresholds" => {
                let list = strings(value.get_ref()).ok_or_else(|| {
                    anyhow!("{origin}: give a list of strings, e.g. thresholds = [\"p95<200ms\"]")
                })?;
                profile.thresholds = Some(Value { value: list, line });
            }
            "reports" => {
                let list = strings(value.get_ref()).ok_or_else(|| {
                    anyhow!("{origin}: give a list of paths, e.g. reports = [\"target/loadcase/run.html\"]")
                })?;
                let value = list.iter().map(|r| base.join(r)).collect();
                profile.reports = Some(Value { value, line });
            }
            other => bail!(
                "{}:{line}: unknown field `{other}` in [profile.{name}]; a profile takes {}",
                profile.file,
                known_keys()
            ),
        }
    }
    if profile.plan(PlanField::Hits).is_some() && profile.plan(PlanField::Duration).is_some() {
        bail!(
            "{}: [profile.{name}] sets both hits and duration; keep one",
            profile.file
        );
    }
    Ok(profile)
}

/// A value as the command line gives it: a string as it is, a number as written.
fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Float(x) => Some(x.to_string()),
        _ => None,
    }
}

fn strings(value: &toml::Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests;
