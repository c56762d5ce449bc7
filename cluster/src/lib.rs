//! One faultline search across threads, processes and machines, on timely dataflow.
//!
//! The native engine's breadth-first search, with the states partitioned over every
//! worker by hash: each owner keeps its part of the visited set and the parent links
//! of its states; levels are separated by timely's progress tracking, so level `d + 1`
//! starts only when level `d` is done everywhere and the search gives the states,
//! transitions, verdicts and counterexample lengths of one process (the successor
//! function is the checker's own, [`faultline_checker::Successors`]). A counterexample
//! is walked back through the parent links from owner to owner, then replayed on
//! process 0. Liveness needs the whole state graph in one place: it is reported
//! `inconclusive` ([`faultline_checker::EngineLimit::Partitioned`]).
//!
//! | module | holds |
//! |---|---|
//! | `config` | where the workers are: `-w`, `-p`, `-n`, `-h hostfile` into timely's configuration |
//! | `part` | one worker's part of the visited set; hashing and owners |
//! | `parcel` | what workers send each other |
//! | `search` | one worker's rounds of the level-synchronous search |
//! | `walk` | counterexample paths walked back across workers |
//! | `run` | the timely dataflows and the report |
//! | `error` | what stops a distributed check |

mod config;
mod error;
mod parcel;
mod part;
mod run;
mod search;
mod walk;

pub use config::Cluster;
pub use error::ClusterError;
pub use run::{Outcome, run};
