//! End-to-end: the real `cargo loadrun`, the real fixture test binary, a real server on loopback
//! that counts what it receives.

mod authorization;
mod counts;
mod crashes;
mod data;
mod display;
mod faults;
mod functional;
mod guide;
mod history;
mod html;
mod inputs;
mod lifecycle;
mod live;
mod mixes;
mod outcomes;
mod outputs;
mod quick;
mod results;
mod secrets;
mod segments;
mod shapes;
mod signals;
mod summary;
mod terminal;
mod tls;
