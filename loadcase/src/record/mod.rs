//! Recording on the request path: per-thread shards that sessions, sockets and the engine record
//! into and the engine harvests a few times a second, the request log written from those
//! harvests, secrets kept out of both, the owner-only files run data is written to, and the
//! generator's own CPU and memory.

pub(crate) mod cpu;
pub(crate) mod log;
pub(crate) mod private;
pub(crate) mod recorder;
pub(crate) mod redact;
