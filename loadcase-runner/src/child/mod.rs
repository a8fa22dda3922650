//! The test binary running the load: started with the plan, supervised over its side channel
//! until it reports or dies ([`supervise`]), its own output relayed without libtest's
//! ([`relay`]), and what ended it when it died ([`status`]).

pub mod relay;
pub mod status;
pub mod supervise;
