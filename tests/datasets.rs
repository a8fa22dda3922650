//! Load tests over datasets that the end-to-end tests (tests/e2e/data.rs) run through the real
//! `cargo loadrun`, against the counting server given with `--server-url`; under a plain
//! `cargo test` they are ignored.

use loadcase::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Row {
    id: u32,
    name: String,
}

/// tests/data/rows.csv: 50 rows, ids 1 to 50, each to be used once across a run.
static ROWS: Dataset<Row> = dataset!("data/rows.csv").unique();

/// Takes a row and sends its id to `/row/{id}`, which the server counts per id.
#[load_test]
#[ignore = "run through cargo loadrun by the e2e tests"]
async fn unique_rows(cx: &mut Context) -> TestResult {
    let row = ROWS.next(cx)?;
    assert_eq!(row.name, format!("row {}", row.id));
    cx.app.get(&format!("/row/{}", row.id)).await?;
    Ok(())
}
