#[test]
fn ui() {
    stage_dataset_files();
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
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
