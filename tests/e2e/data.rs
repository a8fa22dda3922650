//! Datasets through the real runner: `.unique()` rows reach the server once each, running out of
//! them stops the run, and a malformed data file stops the build.

use std::path::{Path, PathBuf};

use loadcase_e2e::{DemoServer, finish, loadrun_in, run, target_dir, workspace};

fn unique_rows(server: &DemoServer, users: &str, hits: &str) -> loadcase_e2e::Run {
    run(&[
        "datasets::unique_rows",
        "-u",
        users,
        "-c",
        hits,
        "--server-url",
        &server.url(""),
    ])
}

/// Every one of the 50 rows arrived at the server exactly once.
fn assert_each_row_once(server: &DemoServer) {
    let counts = server.counts();
    for id in 1..=50 {
        assert_eq!(
            counts.by_route.get(&format!("GET /row/{id}")),
            Some(&1),
            "row {id}: {:?}",
            counts.by_route
        );
    }
    assert_eq!(counts.requests, 50, "{:?}", counts.by_route);
}

#[test]
fn unique_rows_reach_the_server_once_each() {
    let server = DemoServer::start_local();
    let run = unique_rows(&server, "10", "5");
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.figure("Hits"), 50, "{run}");
    assert_eq!(run.figure("Success"), 50, "{run}");
    assert_each_row_once(&server);
}

#[test]
fn running_out_of_unique_rows_stops_the_run() {
    let server = DemoServer::start_local();
    // One user, so the order is known: 50 rows, then the 51st hit finds none and stops the run
    // before the 9 hits left of the plan.
    let run = unique_rows(&server, "1", "60");
    let message = "all 50 rows of data/rows.csv have been used (unique); give more rows, fewer hits, or `.unique().wrapping()`";
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.figure("Hits"), 51, "{run}");
    assert_eq!(run.figure("Success"), 50, "{run}");
    assert_eq!(run.figure("Errors"), 1, "{run}");
    assert!(
        run.stdout.contains(&format!("Stopped early: {message}")),
        "{run}"
    );
    assert!(
        run.stdout.contains(&format!("1 occurrence of: {message}")),
        "{run}"
    );
    assert_each_row_once(&server);
}

/// A crate whose test target reads tests/data/malformed.csv with `dataset!`, so that it cannot
/// build: the file's quote on line 3, column 3 is never closed. The test writes it to a directory
/// of its own, outside the workspace, so that no build of the workspace (`--all-features`,
/// `--all-targets`, clippy) ever compiles it. It builds in the workspace's target directory, with
/// the workspace's Cargo.lock, and with loadcase-examples beside loadcase so that cargo gives the
/// dependencies the features they have in this package's build: the ones already built serve,
/// and only the three loadcase crates are compiled for it.
struct MalformedCrate(PathBuf);

const MALFORMED_MANIFEST: &str = r#"[package]
name = "loadcase-malformed-data"
version = "0.0.0"
edition = "2024"
publish = false

# A workspace of its own: this crate is no member of loadcase's.
[workspace]

[dev-dependencies]
loadcase = { path = LOADCASE }
loadcase-examples = { path = EXAMPLES }
serde = { version = "1", features = ["derive"] }
"#;

const MALFORMED_TEST: &str = r#"use loadcase::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Row {
    id: u32,
    name: String,
}

static MALFORMED: Dataset<Row> = dataset!("data/malformed.csv");

#[load_test]
async fn unique_rows(cx: &mut Context) -> TestResult {
    let row = MALFORMED.next(cx)?;
    assert_eq!(row.name, format!("row {}", row.id));
    Ok(())
}
"#;

impl MalformedCrate {
    fn write() -> MalformedCrate {
        let dir = std::env::temp_dir().join(format!(
            "loadcase-e2e-{}-malformed-data",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        std::fs::create_dir_all(dir.join("data")).unwrap();
        // As a TOML basic string, which escapes as Rust's `{:?}` does for any usual path.
        let path =
            |crate_dir: &str| format!("{:?}", workspace().join(crate_dir).display().to_string());
        let manifest = MALFORMED_MANIFEST
            .replace("LOADCASE", &path("loadcase"))
            .replace("EXAMPLES", &path("examples"));
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        std::fs::write(dir.join("tests/datasets.rs"), MALFORMED_TEST).unwrap();
        let copy = |from: &Path, to: &str| {
            std::fs::copy(from, dir.join(to))
                .unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
        };
        copy(&workspace().join("Cargo.lock"), "Cargo.lock");
        copy(
            &workspace().join("tests/data/malformed.csv"),
            "data/malformed.csv",
        );
        MalformedCrate(dir)
    }

    fn manifest(&self) -> String {
        self.0.join("Cargo.toml").display().to_string()
    }
}

impl Drop for MalformedCrate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_malformed_data_file_is_a_build_error() {
    let fixture = MalformedCrate::write();
    let mut command = loadrun_in(
        &fixture.manifest(),
        &[
            "datasets::unique_rows",
            "--server-url",
            "http://127.0.0.1:9",
        ],
    );
    command.env("CARGO_TARGET_DIR", target_dir());
    let run = finish(command);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("data/malformed.csv:3:3: this quote is never closed"),
        "{run}"
    );
}
