//! Cargo: which test targets exist (`cargo metadata`), and building them the way nextest and
//! cargo-criterion do (`cargo test --no-run --message-format=json-render-diagnostics`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};
use cargo_metadata::{Message, Metadata, MetadataCommand, TargetKind};

use crate::cli::cargo::CargoOptions;
use crate::signal::Interrupted;

/// Where the test targets come from, as the user narrowed it with cargo's options.
pub struct Workspace {
    cargo: PathBuf,
    cli_manifest: Option<PathBuf>,
    package: Option<String>,
    features: Vec<String>,
    all_features: bool,
    no_default_features: bool,
    release: bool,
    quiet: bool,
    metadata: Metadata,
}

/// A target that can hold load tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestTarget {
    /// Package name.
    pub package: String,
    /// Target name as cargo knows it (`example`, or the library's crate name).
    pub name: String,
    /// How to select it: `--test NAME`, `--lib`, or `--bin NAME`.
    pub selector: Vec<String>,
    /// What kind of target it is.
    pub kind: Kind,
    /// Its `required-features`, all enabled by the options given.
    pub buildable: bool,
    /// The package's directory: tests run there, as under `cargo test`.
    pub package_dir: PathBuf,
}

fn cargo_path() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

fn metadata(cargo: &Path, manifest_path: Option<&Path>) -> Result<Metadata> {
    let mut command = MetadataCommand::new();
    command.cargo_path(cargo).no_deps();
    if let Some(path) = manifest_path {
        command.manifest_path(path);
    }
    command.exec().map_err(|e| match e {
        cargo_metadata::Error::CargoMetadata { stderr } => {
            anyhow::anyhow!(
                "cargo metadata failed: {}",
                stderr.trim().trim_start_matches("error: ")
            )
        }
        other => anyhow::anyhow!("cannot run cargo metadata: {other}"),
    })
}

/// The root of the workspace of `manifest_path` (or of the current directory), for commands
/// that need no build, such as `history`.
pub fn workspace_root(manifest_path: Option<&Path>) -> Result<PathBuf> {
    Ok(metadata(&cargo_path(), manifest_path)?
        .workspace_root
        .into_std_path_buf())
}

/// Whether cargo ended because of Ctrl-C.
fn interrupted(status: std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    if std::os::unix::process::ExitStatusExt::signal(&status) == Some(2) {
        return true;
    }
    status.code() == Some(130)
}

/// The kinds of target whose test binaries can hold load tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `tests/*.rs`.
    Test,
    /// The library's unit tests.
    Lib,
    /// A binary's unit tests.
    Bin,
}

impl Kind {
    fn of(kinds: &[TargetKind]) -> Option<Kind> {
        if kinds.contains(&TargetKind::Test) {
            Some(Kind::Test)
        } else if kinds.contains(&TargetKind::Lib) {
            Some(Kind::Lib)
        } else if kinds.contains(&TargetKind::Bin) {
            Some(Kind::Bin)
        } else {
            None
        }
    }
}

/// A built test binary.
#[derive(Clone, Debug)]
pub struct TestBinary {
    /// What it was built from.
    pub target: TestTarget,
    /// The executable.
    pub exe: PathBuf,
}

impl Workspace {
    /// Reads the workspace that cargo's options point at; `quiet` keeps cargo's progress off
    /// the terminal when it builds.
    pub fn load(options: &CargoOptions, quiet: bool) -> Result<Workspace> {
        let cargo = cargo_path();
        let metadata = metadata(&cargo, options.manifest_path.as_deref())?;
        if let Some(package) = &options.package
            && !metadata
                .workspace_packages()
                .iter()
                .any(|p| p.name.as_str() == package)
        {
            let names: Vec<&str> = metadata
                .workspace_packages()
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            bail!(
                "package `{package}` is not in this workspace; its packages are: {}",
                names.join(", ")
            );
        }
        Ok(Workspace {
            cargo,
            cli_manifest: options.manifest_path.clone(),
            package: options.package.clone(),
            features: options.features.clone(),
            all_features: options.all_features,
            no_default_features: options.no_default_features,
            release: !options.debug,
            quiet,
            metadata,
        })
    }

    /// Every target of the selected packages that can hold load tests: integration tests,
    /// libraries and binaries (their unit tests).
    pub fn targets(&self) -> Vec<TestTarget> {
        let packages = match &self.package {
            Some(name) => self
                .metadata
                .workspace_packages()
                .into_iter()
                .filter(|p| p.name.as_str() == name)
                .collect(),
            None if self.cli_manifest.is_none() && self.in_member_dir().is_some() => {
                self.in_member_dir().into_iter().collect()
            }
            None => self.metadata.workspace_default_packages(),
        };
        let mut targets = Vec::new();
        for package in packages {
            let dir = package
                .manifest_path
                .parent()
                .map(|p| p.as_std_path().to_owned())
                .unwrap_or_default();
            let enabled = self.enabled_features(package);
            for target in &package.targets {
                let (kind, selector) = match Kind::of(&target.kind) {
                    Some(Kind::Test) => {
                        (Kind::Test, vec!["--test".to_owned(), target.name.clone()])
                    }
                    Some(Kind::Lib) if target.test => (Kind::Lib, vec!["--lib".to_owned()]),
                    Some(Kind::Bin) if target.test => {
                        (Kind::Bin, vec!["--bin".to_owned(), target.name.clone()])
                    }
                    _ => continue,
                };
                let buildable = self.all_features
                    || target.required_features.iter().all(|f| enabled.contains(f));
                targets.push(TestTarget {
                    package: package.name.to_string(),
                    name: target.name.replace('-', "_"),
                    selector,
                    kind,
                    buildable,
                    package_dir: dir.clone(),
                });
            }
        }
        targets
    }

    /// The features the options enable in `package`: those given, and its defaults unless
    /// `--no-default-features` (a feature that a default one enables is not followed).
    fn enabled_features(&self, package: &cargo_metadata::Package) -> Vec<String> {
        let mut enabled: Vec<String> = self
            .features
            .iter()
            .flat_map(|f| f.split([',', ' ']))
            .filter(|f| !f.is_empty())
            .map(|f| f.rsplit('/').next().unwrap_or(f).to_owned())
            .collect();
        if !self.no_default_features {
            enabled.extend(
                package
                    .features
                    .get("default")
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        }
        enabled
    }

    /// Cargo's own default when run inside a member's directory: that member.
    fn in_member_dir(&self) -> Option<&cargo_metadata::Package> {
        let cwd = std::env::current_dir().ok()?;
        self.metadata
            .workspace_packages()
            .into_iter()
            .filter(|p| {
                p.manifest_path
                    .parent()
                    .is_some_and(|dir| cwd.starts_with(dir.as_std_path()))
            })
            .max_by_key(|p| p.manifest_path.as_str().len())
            .filter(|p| {
                p.manifest_path.parent().is_some_and(|dir| {
                    dir.as_std_path() != self.metadata.workspace_root.as_std_path()
                })
            })
    }

    /// Builds exactly these targets and returns their test binaries. Targets are named one by
    /// one rather than with --tests, so that targets with `test = false` (load tests that need
    /// a server running) can be built too.
    pub fn build(&self, targets: &[&TestTarget]) -> Result<Vec<TestBinary>> {
        let mut command = Command::new(&self.cargo);
        command.args([
            "test",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ]);
        if self.release {
            command.arg("--release");
        }
        if self.quiet {
            // Cargo's progress goes; its errors and warnings still show.
            command.arg("--quiet");
        }
        if let Some(path) = &self.cli_manifest {
            command.arg("--manifest-path").arg(path);
        }
        let mut packages: Vec<&str> = targets.iter().map(|t| t.package.as_str()).collect();
        packages.sort_unstable();
        packages.dedup();
        for package in packages {
            command.args(["-p", package]);
        }
        let mut selectors: Vec<&[String]> = targets.iter().map(|t| t.selector.as_slice()).collect();
        selectors.sort();
        selectors.dedup();
        for selector in selectors {
            command.args(selector);
        }
        for features in &self.features {
            command.args(["--features", features]);
        }
        if self.all_features {
            command.arg("--all-features");
        }
        if self.no_default_features {
            command.arg("--no-default-features");
        }
        command.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot run {}", self.cargo.display()))?;
        let stdout = child.stdout.take().expect("piped");
        let mut binaries = Vec::new();
        for message in Message::parse_stream(std::io::BufReader::new(stdout)) {
            let Ok(Message::CompilerArtifact(artifact)) = message else {
                continue;
            };
            let (Some(exe), true) = (artifact.executable, artifact.profile.test) else {
                continue;
            };
            let name = artifact.target.name.replace('-', "_");
            let dir = artifact
                .manifest_path
                .parent()
                .map(|p| p.as_std_path().to_owned())
                .unwrap_or_default();
            let kind = Kind::of(&artifact.target.kind);
            if let Some(target) = targets
                .iter()
                .find(|t| t.name == name && t.package_dir == dir && Some(t.kind) == kind)
            {
                binaries.push(TestBinary {
                    target: (*target).clone(),
                    exe: exe.into_std_path_buf(),
                });
            }
        }
        let status = child.wait().context("waiting for cargo")?;
        if interrupted(status) {
            // Ctrl-C reached cargo too; the runner's own handler may not have run yet.
            bail!(Interrupted);
        }
        if !status.success() {
            bail!("the build failed (cargo's messages are above); fix it and run again");
        }
        Ok(binaries)
    }

    /// The workspace root, for showing paths.
    pub fn root(&self) -> &Path {
        self.metadata.workspace_root.as_std_path()
    }
}
