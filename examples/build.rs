//! Nothing to build: this script exists so that its build-dependency (syn with the runner's
//! features, see Cargo.toml) joins the proc-macros' build, and the runner and the examples share
//! every compiled dependency.

fn main() {}
