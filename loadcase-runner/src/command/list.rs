//! `cargo loadrun --list`: every load test of the workspace, with its file and line.

use anyhow::Result;

use crate::cli::cargo::CargoOptions;
use crate::exit;
use crate::workspace::cargo::{TestTarget, Workspace};
use crate::workspace::discover;

/// Builds the test targets and prints their load tests, one a line.
pub fn dispatch(cargo: &CargoOptions, quiet: bool) -> Result<u8> {
    let workspace = Workspace::load(cargo, quiet)?;
    let targets = workspace.targets();
    // Targets whose required features are off are left out, as cargo test leaves them out.
    let buildable: Vec<&TestTarget> = targets.iter().filter(|t| t.buildable).collect();
    let binaries = workspace.build(&buildable)?;
    let mut rows = Vec::new();
    for binary in &binaries {
        for test in discover::list(binary)? {
            rows.push((
                format!("{}::{}", binary.target.name, test.name),
                format!("{}:{}", test.file, test.line),
            ));
        }
    }
    if rows.is_empty() {
        eprintln!(
            "no load tests found under {}; mark an async fn(cx: &mut Context) #[load_test] in tests/*.rs",
            workspace.root().display()
        );
        return Ok(exit::SUCCESS);
    }
    rows.sort();
    rows.dedup();
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, place) in &rows {
        println!("{name:<width$}  {place}");
    }
    Ok(exit::SUCCESS)
}

/// `--artifact DIR --list`: the load tests its manifest lists, without running anything.
pub fn artifact(dir: &std::path::Path) -> Result<u8> {
    let artifact = crate::artifact::Artifact::open(dir)?;
    let manifest = &artifact.manifest;
    let rows: Vec<(String, String)> = manifest
        .listing
        .iter()
        .map(|t| {
            (
                format!("{}::{}", manifest.target, t.name),
                format!("{}:{}", t.file, t.line),
            )
        })
        .collect();
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, place) in &rows {
        println!("{name:<width$}  {place}");
    }
    Ok(exit::SUCCESS)
}
