//! A test built once and run where there is no toolchain: `cargo loadrun build TEST --out DIR`
//! leaves the test binary, a copy of this runner, the `loadcase.toml` of its package if it has
//! one, and a manifest that says what they are; `cargo-loadrun --artifact DIR` runs from them, and
//! never runs cargo.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use loadcase::__private::runner::{ListedTest, PROTOCOL_VERSION};
use serde::{Deserialize, Serialize};

use crate::workspace::cargo::{Kind, TestBinary, TestTarget};

/// The manifest's file name in the directory.
pub const MANIFEST: &str = "loadcase-artifact.json";
/// The runner's copy in the directory.
pub const RUNNER: &str = "cargo-loadrun";
/// The manifest's version; a runner reads only the versions it knows.
const FORMAT: u32 = 1;

/// What a directory made by `cargo loadrun build` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`] of the writer.
    pub format: u32,
    /// The version of the runner that built it (the copy beside it).
    pub runner_version: String,
    /// The side channel's protocol the test binary speaks.
    pub protocol: u32,
    /// The package the test is in.
    pub package: String,
    /// The target, as cargo names it (`example` for tests/example.rs).
    pub target: String,
    /// `test`, `lib` or `bin`.
    pub kind: String,
    /// The test binary's file name in the directory.
    pub binary: String,
    /// The tests named when it was built (`example::test_es`, or a mix with weights): what a run
    /// from it runs when it names none.
    pub tests: Vec<String>,
    /// Every load test the binary holds.
    pub listing: Vec<ListedTest>,
    /// `release` or `debug`.
    pub profile: String,
    /// When it was built, in milliseconds since the Unix epoch.
    pub built_unix_ms: u64,
    /// Whether the package's `loadcase.toml` (its profiles) is beside it.
    #[serde(default)]
    pub loadcase_toml: bool,
}

/// A directory made by `cargo loadrun build`, opened.
#[derive(Debug)]
pub struct Artifact {
    /// The directory, absolute.
    pub dir: PathBuf,
    /// What it holds.
    pub manifest: Manifest,
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Test => "test",
        Kind::Lib => "lib",
        Kind::Bin => "bin",
    }
}

/// What `build` was asked for and found: the binary, its load tests, the tests named.
pub struct Built<'a> {
    /// The test binary.
    pub binary: &'a TestBinary,
    /// Every load test it holds.
    pub listing: Vec<ListedTest>,
    /// The tests as the command line named them.
    pub tests: &'a [String],
    /// Whether it was built in the release profile.
    pub release: bool,
    /// The package's `loadcase.toml`, if it has one.
    pub profiles: Option<PathBuf>,
}

/// Copies a file, keeping its permissions; nothing to do when it is already there (the runner
/// of a directory building into that same directory).
fn copy(from: &Path, to: &Path) -> Result<()> {
    let same = match (from.canonicalize(), to.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        // Through a temporary name: a binary being run cannot be overwritten in place.
        let tmp = to.with_extension("tmp");
        std::fs::copy(from, &tmp)
            .and_then(|_| std::fs::rename(&tmp, to))
            .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}

/// Leaves `built` in `out`: the binary, the runner, the profiles and the manifest.
pub fn write(out: &Path, built: &Built<'_>) -> Result<Manifest> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("--out: cannot create the directory {}", out.display()))?;
    let target = &built.binary.target;
    let binary = format!("test-{}", target.name);
    copy(&built.binary.exe, &out.join(&binary))?;
    let runner = std::env::current_exe().context("cannot find this runner's own executable")?;
    copy(&runner, &out.join(RUNNER))?;
    let profiles = out.join(crate::settings::profile::FILE);
    if let Some(file) = &built.profiles {
        copy(file, &profiles)?;
    } else if profiles.exists() {
        // Left from an earlier build of another package: it is not this one's.
        std::fs::remove_file(&profiles)
            .with_context(|| format!("cannot remove the stale {}", profiles.display()))?;
    }
    let manifest = Manifest {
        format: FORMAT,
        runner_version: env!("CARGO_PKG_VERSION").to_owned(),
        protocol: PROTOCOL_VERSION,
        package: target.package.clone(),
        target: target.name.clone(),
        kind: kind_name(target.kind).to_owned(),
        binary,
        tests: built.tests.to_vec(),
        listing: built.listing.clone(),
        profile: if built.release { "release" } else { "debug" }.to_owned(),
        built_unix_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64),
        loadcase_toml: built.profiles.is_some(),
    };
    let mut text = serde_json::to_string_pretty(&manifest).expect("a manifest serializes");
    text.push('\n');
    crate::reports::write(&out.join(MANIFEST), &text)
        .with_context(|| format!("cannot write the manifest into {}", out.display()))?;
    Ok(manifest)
}

impl Artifact {
    /// Opens `dir`; anything missing or of another version is named with the fix.
    pub fn open(dir: &Path) -> Result<Artifact> {
        let fix = "make it with `cargo loadrun build TEST --out DIR` where the workspace is";
        let file = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&file).with_context(|| {
            format!(
                "--artifact {}: no {MANIFEST} there, so it is not a directory made by cargo loadrun build; {fix}",
                dir.display()
            )
        })?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("--artifact: {} is not valid JSON; {fix}", file.display()))?;
        let format = value.get("format").and_then(serde_json::Value::as_u64);
        if format != Some(u64::from(FORMAT)) {
            bail!(
                "--artifact: {} is of format {}, and this runner reads format {FORMAT}; run it with the runner beside it, {}",
                file.display(),
                format.map_or_else(|| "unknown".to_owned(), |f| f.to_string()),
                dir.join(RUNNER).display()
            );
        }
        let manifest: Manifest = serde_json::from_value(value)
            .with_context(|| format!("--artifact: {} cannot be read; {fix}", file.display()))?;
        if manifest.protocol != PROTOCOL_VERSION {
            bail!(
                "--artifact {}: its test binary speaks loadcase protocol {} and this runner {PROTOCOL_VERSION}; run it with the runner beside it, {}",
                dir.display(),
                manifest.protocol,
                dir.join(RUNNER).display()
            );
        }
        let dir = dir
            .canonicalize()
            .with_context(|| format!("--artifact: cannot resolve {}", dir.display()))?;
        let exe = dir.join(&manifest.binary);
        if !exe.is_file() {
            bail!(
                "--artifact {}: the test binary {} named by {MANIFEST} is missing; copy the whole directory, or {fix}",
                dir.display(),
                manifest.binary
            );
        }
        Ok(Artifact { dir, manifest })
    }

    /// The test binary, as a run takes it: its tests run in the artifact's directory, which
    /// stands for the package's.
    pub fn binary(&self) -> TestBinary {
        let kind = match self.manifest.kind.as_str() {
            "lib" => Kind::Lib,
            "bin" => Kind::Bin,
            _ => Kind::Test,
        };
        TestBinary {
            target: TestTarget {
                package: self.manifest.package.clone(),
                name: self.manifest.target.clone(),
                selector: Vec::new(),
                kind,
                buildable: true,
                package_dir: self.dir.clone(),
            },
            exe: self.dir.join(&self.manifest.binary),
        }
    }

    /// Refuses a test of another target than the artifact's, naming those it holds.
    pub fn check_target(&self, target: &str) -> Result<()> {
        if target.replace('-', "_") == self.manifest.target {
            return Ok(());
        }
        let names: Vec<String> = self
            .manifest
            .listing
            .iter()
            .map(|t| format!("{}::{}", self.manifest.target, t.name))
            .collect();
        bail!(
            "--artifact {} holds target `{}`, not `{target}`; its load tests: {}",
            self.dir.display(),
            self.manifest.target,
            names.join(", ")
        )
    }
}
