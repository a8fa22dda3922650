//! The user's cargo workspace: its test targets and building them ([`cargo`]), the load tests a
//! built binary holds ([`discover`]), and which of them the command line names ([`select`]).

pub mod cargo;
pub mod discover;
pub mod select;
