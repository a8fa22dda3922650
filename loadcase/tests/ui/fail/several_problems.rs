use loadcase::prelude::*;

#[load_test(server_url = "localhost:8080")]
fn several_problems<T>(users: u32) -> u32 {
    users
}

fn main() {}
