//! End-to-end: the real `cargo loadrun`, the real fixture test binary, a real server on loopback
//! that counts what it receives.

mod counts;
mod data;
mod display;
mod functional;
mod guide;
mod history;
mod inputs;
mod lifecycle;
mod mixes;
mod outcomes;
mod quick;
mod results;
mod segments;
mod shapes;
