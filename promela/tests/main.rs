//! The promela crate's integration tests: the golden export, and (feature `spin`) SPIN's
//! agreement with faultline on the small catalog cells.

#[cfg(feature = "spin")]
mod agreement;
mod golden;
