use loadcase::prelude::*;

#[derive(serde::Deserialize)]
struct User {
    id: u32,
    name: String,
}

static USERS: Dataset<User> = dataset!("tests/ui/data/users.csv").wrapping();

fn main() {
    let _ = (&USERS, |u: &User| (u.id, u.name.len()));
}
