use loadcase::prelude::*;

#[derive(serde::Deserialize)]
struct User {
    id: u32,
    name: String,
}

static USERS: Dataset<User> = dataset!("/nonexistent/loadcase-ui/users.csv");

fn main() {
    let _ = (&USERS, |u: &User| (u.id, u.name.len()));
}
