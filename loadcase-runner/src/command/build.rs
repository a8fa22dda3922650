//! `cargo loadrun build TEST --out DIR`: the test target built once (release unless `--debug`),
//! and left in a directory with this runner and a manifest, for nodes that have no toolchain:
//! `DIR/cargo-loadrun --artifact DIR` runs it there.

use anyhow::Result;

use crate::artifact::{self, Built, RUNNER};
use crate::cli::build::BuildArgs;
use crate::exit;
use crate::settings::profile;
use crate::verdict::Thresholds;
use crate::workspace::cargo::Workspace;
use crate::workspace::discover;
use crate::workspace::select::{self, Selection};

/// Builds the target of the tests named, checks that they are there, and leaves the directory.
pub fn dispatch(args: &BuildArgs) -> Result<u8> {
    let selection = Selection::parse(&args.tests);
    let workspace = Workspace::load(&args.cargo, args.quiet)?;
    let tests =
        selection.map_err(|error| select::with_full_names(error, &args.tests, &workspace))?;
    let targets = workspace.targets();
    let candidates = select::find_targets(tests.first(), &targets)?;
    let binaries = workspace.build(&candidates)?;
    let picked = tests.pick(&binaries)?;
    // A malformed threshold in an attribute is found now, not on every node.
    picked.add_thresholds(&mut Thresholds::default())?;
    let listing = discover::list(picked.binary)?;
    let built = Built {
        binary: picked.binary,
        listing,
        tests: &args.tests,
        release: !args.cargo.debug,
        profiles: profile::find(&[picked.binary.target.package_dir.as_path(), workspace.root()]),
    };
    let manifest = artifact::write(&args.out, &built)?;
    let dir = args.out.display();
    eprintln!(
        "built {} into {dir}: {} (the test binary, {}), {RUNNER} (this runner), {}{}",
        picked.display_name,
        manifest.binary,
        manifest.profile,
        artifact::MANIFEST,
        if manifest.loadcase_toml {
            format!(" and {}", profile::FILE)
        } else {
            String::new()
        }
    );
    eprintln!(
        "run it anywhere with the same OS and CPU architecture, without cargo:\n  {dir}/{RUNNER} --artifact {dir} -u 10 -c 5"
    );
    Ok(exit::SUCCESS)
}
