use loadcase::prelude::*;

#[load_test]
struct OnStruct {
    users: u32,
}

fn main() {}
