use std::collections::BTreeSet;

use serde::Deserialize;

use super::*;
use crate::record::recorder::Recorder;

#[derive(Debug, Deserialize, PartialEq)]
struct Row {
    id: u32,
    name: String,
    email: Option<String>,
}

fn cx() -> Context {
    Context::new(0, Recorder::new(), None)
}

fn csv_rows(rows: usize) -> Dataset<Row> {
    let mut text = String::from("id,name,email\n");
    for i in 0..rows {
        text.push_str(&format!("{i},user {i},u{i}@example.com\n"));
    }
    let bytes: &'static [u8] = Box::leak(text.into_bytes().into_boxed_slice());
    Dataset::__from_macro("data/rows.csv", bytes, Format::Csv, rows)
}

fn ids(dataset: &Dataset<Row>, cx: &Context, n: usize) -> Vec<u32> {
    (0..n).map(|_| dataset.next(cx).unwrap().id).collect()
}

#[test]
fn csv_rows_deserialize_by_column_name() {
    // Through the macro, as users write it: the file is tests/data/users.csv of this package.
    #[derive(Deserialize)]
    struct User {
        email: String,
        password: String,
    }
    static USERS: Dataset<User> = crate::dataset!("tests/data/users.csv");
    assert_eq!(USERS.len(), 3);
    assert_eq!(USERS.path(), "tests/data/users.csv");
    let users = USERS.rows().unwrap();
    assert_eq!(users[0].email, "ann@example.com");
    assert_eq!(users[2].password, "p,w \"q\"");

    let bytes = b"\xef\xbb\xbfname,id,email,unused\r\n\"Ann, Jr\",1,,x\r\n\r\nBob,2,b@x,y\r\n";
    let rows: Dataset<Row> = Dataset::__from_macro("d.csv", bytes, Format::Csv, 2);
    assert_eq!(
        rows.rows().unwrap(),
        [
            Row {
                id: 1,
                name: "Ann, Jr".into(),
                email: None
            },
            Row {
                id: 2,
                name: "Bob".into(),
                email: Some("b@x".into())
            }
        ]
    );
}

#[test]
fn json_lines_deserialize_each_object() {
    #[derive(Deserialize)]
    struct Product {
        id: u64,
        tags: Vec<String>,
    }
    static PRODUCTS: Dataset<Product> = crate::dataset!("tests/data/products.jsonl");
    let products = PRODUCTS.rows().unwrap();
    assert_eq!(products.len(), PRODUCTS.len());
    assert_eq!(products[1].id, 2);
    assert_eq!(products[1].tags, ["kitchen"]);

    let bytes =
        b"{\"id\": 7, \"name\": \"a\"}\n\n  \r\n{\"id\": 8, \"name\": \"b\", \"email\": \"e\"}";
    let rows: Dataset<Row> = Dataset::__from_macro("d.jsonl", bytes, Format::JsonLines, 2);
    let rows = rows.rows().unwrap();
    assert_eq!((rows[0].id, rows[0].email.as_deref()), (7, None));
    assert_eq!((rows[1].id, rows[1].email.as_deref()), (8, Some("e")));
}

#[test]
fn round_robin_goes_through_the_rows_in_order_across_users() {
    let dataset = csv_rows(3);
    let (a, b) = (cx(), Context::new(1, Recorder::new(), None));
    let mut seen = ids(&dataset, &a, 2);
    seen.extend(ids(&dataset, &b, 2));
    seen.extend(ids(&dataset, &a, 3));
    assert_eq!(seen, [0, 1, 2, 0, 1, 2, 0]);
    assert_eq!(dataset.strategy(), Strategy::RoundRobin);
}

#[test]
fn random_stays_in_range_and_uses_many_rows() {
    let dataset = csv_rows(5).random();
    let seen = ids(&dataset, &cx(), 500);
    assert!(seen.iter().all(|&id| id < 5), "{seen:?}");
    let distinct: BTreeSet<u32> = seen.into_iter().collect();
    // Each of 5 rows missing from 500 uniform draws has a chance of 0.8^500, about 1e-49.
    assert_eq!(distinct.len(), 5, "{distinct:?}");
}

#[test]
fn unique_hands_each_row_out_once_across_threads_then_fails() {
    const ROWS: usize = 2000;
    let dataset = csv_rows(ROWS).unique();
    let taken: Vec<Vec<u32>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|user| {
                let dataset = &dataset;
                scope.spawn(move || {
                    let cx = Context::new(user, Recorder::new(), None);
                    let mut mine = Vec::new();
                    loop {
                        match dataset.next(&cx) {
                            Ok(row) => mine.push(row.id),
                            Err(error) => {
                                assert_eq!(
                                    error,
                                    DatasetError::Exhausted {
                                        path: "data/rows.csv",
                                        rows: ROWS
                                    }
                                );
                                return mine;
                            }
                        }
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut all: Vec<u32> = taken.iter().flatten().copied().collect();
    assert_eq!(all.len(), ROWS, "every row once, no more");
    all.sort_unstable();
    assert!(all.iter().copied().eq(0..ROWS as u32), "no row twice");
    // Once out, it stays out.
    assert!(dataset.next(&cx()).is_err());
}

#[test]
fn unique_fails_exactly_after_the_last_row_with_the_fix() {
    let dataset = csv_rows(3).unique();
    let cx = cx();
    assert_eq!(ids(&dataset, &cx, 3), [0, 1, 2]);
    let error = dataset.next(&cx).unwrap_err();
    assert_eq!(
        error.to_string(),
        "all 3 rows of data/rows.csv have been used (unique); give more rows, fewer hits, or `.unique().wrapping()`"
    );
    let error = crate::Error::from(error);
    assert_eq!(error.kind(), crate::ProblemKind::Error);
    assert!(error.message().starts_with("all 3 rows of data/rows.csv"));
}

#[test]
fn an_error_stops_the_run_with_its_message() {
    let control = crate::control::Control::default();
    let cx = cx().with_control(control.clone());
    let dataset = csv_rows(1).unique();
    dataset.next(&cx).unwrap();
    assert!(!control.is_stopped());
    let error = dataset.next(&cx).unwrap_err();
    assert!(control.is_stopped());
    assert_eq!(control.reason(), Some(error.to_string()));

    let control = crate::control::Control::default();
    let cx = Context::new(1, Recorder::new(), None).with_control(control.clone());
    let bytes = b"id,name\nx,a\n";
    let dataset: Dataset<Row> = Dataset::__from_macro("bad.csv", bytes, Format::Csv, 1);
    let error = dataset.next(&cx).unwrap_err();
    assert!(
        matches!(
            error,
            DatasetError::Invalid {
                line: 2,
                column: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(control.reason(), Some(error.to_string()));
}

#[test]
fn unique_wrapping_starts_over_and_counts_it() {
    let dataset = csv_rows(3).unique().wrapping();
    assert_eq!(dataset.strategy(), Strategy::UniqueWrapping);
    let rec = Recorder::new();
    let cx = Context::new(0, rec.clone(), None);
    assert_eq!(ids(&dataset, &cx, 3), [0, 1, 2]);
    assert!(!rec.harvest().counters.contains_key("data/rows.csv wrapped"));
    assert_eq!(ids(&dataset, &cx, 5), [0, 1, 2, 0, 1]);
    assert_eq!(rec.harvest().counters["data/rows.csv wrapped"], 2);
}

#[test]
fn a_value_that_does_not_fit_names_line_column_and_field() {
    let bytes = "id,name,email\n1,ann,a@x\n\nxé,zoé,z@x\n".as_bytes();
    let dataset: Dataset<Row> = Dataset::__from_macro("data/rows.csv", bytes, Format::Csv, 2);
    let expected = "data/rows.csv:4:1: column `id`: invalid digit found in string; the value does not fit the field for column `id` of `Row`: fix the value, or change the field's type";
    assert_eq!(dataset.next(&cx()).unwrap_err().to_string(), expected);
    // The rows are parsed once: every later call says the same.
    assert_eq!(dataset.next(&cx()).unwrap_err().to_string(), expected);

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Aged {
        name: String,
        age: u8,
    }
    let bytes = b"name,age\n\"Ann\",30\n\"Zo\xc3\xab\",300\n";
    let dataset: Dataset<Aged> = Dataset::__from_macro("a.csv", bytes, Format::Csv, 2);
    match dataset.rows().unwrap_err() {
        DatasetError::Invalid {
            line,
            column,
            message,
            ..
        } => {
            assert_eq!((line, column), (3, 7));
            assert!(
                message.starts_with("column `age`: number too large"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_column_names_the_header() {
    let bytes = b"id,name\n1,ann\n";
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Strict {
        id: u32,
        email: String,
    }
    let dataset: Dataset<Strict> = Dataset::__from_macro("data/rows.csv", bytes, Format::Csv, 1);
    assert_eq!(
        dataset.next(&cx()).unwrap_err().to_string(),
        "data/rows.csv:1:1: the header has no column `email`, which `Strict` needs (it has `id`, `name`); add the column, or give the field `#[serde(default)]` or an `Option` type"
    );
}

#[test]
fn a_json_line_that_does_not_fit_is_placed() {
    let bytes = b"{\"id\": 1, \"name\": \"a\"}\n\n{\"id\": \"two\", \"name\": \"b\"}\n";
    let dataset: Dataset<Row> = Dataset::__from_macro("d.jsonl", bytes, Format::JsonLines, 2);
    let error = dataset.next(&cx()).unwrap_err().to_string();
    assert!(
        error.starts_with("d.jsonl:3:12: invalid type: string \"two\", expected u32; this object does not fit `Row`"),
        "{error}"
    );
    let bytes = b"{\"id\": 1}\n";
    let dataset: Dataset<Row> = Dataset::__from_macro("d.jsonl", bytes, Format::JsonLines, 1);
    let error = dataset.next(&cx()).unwrap_err().to_string();
    assert!(
        error.starts_with("d.jsonl:1:9: missing field `name`; add the field to this line's object"),
        "{error}"
    );
}

#[test]
#[should_panic(expected = "`.wrapping()` goes after `.unique()`")]
fn wrapping_without_unique_is_refused() {
    let _ = csv_rows(1).random().wrapping();
}

#[test]
#[should_panic(expected = "a dataset has one strategy")]
fn two_strategies_are_refused() {
    let _ = csv_rows(1).unique().random();
}

#[test]
fn the_type_name_in_messages_is_short() {
    assert_eq!(type_name_of::<Row>(), "Row");
    assert_eq!(
        type_name_of::<Vec<Row>>(),
        "Vec<loadcase::dataset::tests::Row>"
    );
}

fn type_name_of<T>() -> &'static str {
    parse::type_name::<T>()
}
