//! UI tests of `#[load_test]` and `dataset!`: each case in `ui/fail` must not compile, with
//! exactly the diagnostics of its `.stderr` file, and each case in `ui/pass` must compile and run.
//!
//! rustc words its diagnostics differently from one release to the next, so the `.stderr` files
//! are what one toolchain wrote, and they are compared on that toolchain only, as dtolnay's
//! crates pin theirs (to nightly): here stable 1.95, on any other rustc `ui` is ignored and says
//! why, so a new stable does not break the suite. On moving to a new toolchain, regenerate them
//! with it and move the pin below: `TRYBUILD=overwrite cargo test -p loadcase --test ui`, then
//! read the diff. `ui_pass` holds no wording, and runs on every toolchain.

#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the UI .stderr files are rustc 1.95's; see loadcase/tests/ui.rs"
)]
#[test]
fn ui() {
    stage_dataset_files();
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
}

#[test]
fn ui_pass() {
    stage_dataset_files();
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
}

/// `dataset!` reads files relative to the package being compiled, which under trybuild is its
/// own project in `<target>/tests/trybuild/loadcase/`: the data files of the cases go there, at
/// the same relative path they have here (`tests/ui/data/…`).
fn stage_dataset_files() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version=1", "--no-deps"])
        .current_dir(here)
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "cargo metadata failed");
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata writes JSON");
    let target = metadata["target_directory"]
        .as_str()
        .expect("cargo metadata names the target directory");
    let to = std::path::Path::new(target).join("tests/trybuild/loadcase/tests/ui/data");
    std::fs::create_dir_all(&to).expect("create the trybuild project's data directory");
    for entry in std::fs::read_dir(here.join("tests/ui/data")).expect("tests/ui/data") {
        let from = entry.expect("read tests/ui/data").path();
        let name = from.file_name().expect("a file name");
        std::fs::copy(&from, to.join(name)).expect("copy a data file");
    }
}
