//! The test binary running the load: started with the plan, supervised over its side channel
//! until it reports or dies ([`supervise`]), its own output relayed without libtest's
//! ([`relay`]).

pub mod relay;
pub mod supervise;
