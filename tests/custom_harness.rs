//! A `harness = false` test target: it runs whatever its arguments, so `cargo loadrun --list`
//! must never start it. When `CUSTOM_HARNESS_MARKER` names a file, it creates that file.

fn main() {
    if let Some(marker) = std::env::var_os("CUSTOM_HARNESS_MARKER") {
        std::fs::write(marker, "ran").expect("write the marker");
    }
}
