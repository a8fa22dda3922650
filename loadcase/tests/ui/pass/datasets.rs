//! Every form of `dataset!` that compiles, and the rows they give.

use loadcase::prelude::*;

#[derive(serde::Deserialize)]
struct User {
    id: u32,
    name: String,
}

static CSV: Dataset<User> = dataset!("tests/ui/data/users.csv");
static JSON_LINES: Dataset<User> = dataset!("tests/ui/data/users.jsonl",).random();
static NDJSON: Dataset<User> = loadcase::dataset!("tests/ui/data/users.ndjson").unique();
static WRAPPING: Dataset<User> = dataset!("tests/ui/data/users.csv").unique().wrapping();

fn main() {
    let names = |d: &'static Dataset<User>| -> Vec<(u32, &'static str)> {
        d.rows().unwrap().iter().map(|u| (u.id, u.name.as_str())).collect()
    };
    assert_eq!(names(&CSV), [(1, "ann"), (2, "bob")]);
    assert_eq!(names(&JSON_LINES), [(1, "ann"), (2, "bob")]);
    assert_eq!(names(&NDJSON), [(3, "cid")]);
    assert_eq!((CSV.len(), JSON_LINES.len(), NDJSON.len(), WRAPPING.len()), (2, 2, 1, 2));
}
