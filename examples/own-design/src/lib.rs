//! An example crate: a reviewer's own design, kept next to the tests that check it.
//! The design is text (`designs/never-wait.fl`); `tests/main.rs` checks it.

/// The design under review.
pub const NEVER_WAIT: &str = include_str!("../designs/never-wait.fl");
