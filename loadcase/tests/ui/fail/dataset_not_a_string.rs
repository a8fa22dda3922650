use loadcase::prelude::*;

#[derive(serde::Deserialize)]
struct User {
    id: u32,
    name: String,
}

const PATH: &str = "tests/ui/data/users.csv";
static USERS: Dataset<User> = dataset!(PATH);

fn main() {
    let _ = (&USERS, |u: &User| (u.id, u.name.len()));
}
