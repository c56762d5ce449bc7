//! The ids of the properties a design is checked against, in report order. They sit
//! below the design language so a `.fl` file's `properties` and `expect` clauses are
//! checked where they are compiled; `faultline_checker::Property` evaluates them and
//! takes its ids from here.

/// Every property id, in the order of `faultline_checker::Property::ALL`.
pub const PROPERTY_IDS: [&str; 10] = [
    "deadlock",
    "lock-order",
    "retry-drops",
    "vma-use",
    "fork-copy",
    "writer-waits-io",
    "fork-waits-io",
    "reader-waits-io",
    "livelock",
    "starvation",
];
