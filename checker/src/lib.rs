//! faultline's engines, properties and verdicts.
//!
//! [`Checker`] checks a [`faultline_protocol::Machine`] with one [`Engine`]
//! (`Checker::new(&m).properties(&props).threads(n).run()`; [`run`] and [`explore`]
//! are one-line wrappers): the native engine searches the explicit state graph
//! breadth-first; the loom and
//! shuttle engines run the model's threads as their threads over the same step
//! function. Every property is evaluated by [`Property::violated_at`], the one
//! evaluator all engines share, and every counterexample is replayed on the native
//! semantics. A verdict is `holds` only when the whole reachable space was explored.
//!
//! | module | holds |
//! |---|---|
//! | `builder` | [`Checker`]: the one entry point (engine, properties, reductions, threads, budget, progress) |
//! | `property` | property ids and the shared evaluator |
//! | `engines` | the dispatch to an engine; the loom and shuttle runners |
//! | `store` | the visited set: packed states, fingerprinted hash table, parent links |
//! | `reduce` | the reductions (partial-order, symmetry) behind one interface |
//! | `search` | the native breadth-first search: states and edges, on N threads |
//! | `reach` | reachability: `exists` witnesses and every deadlock state, unreduced BFS, shortest traces |
//! | `liveness` | fair cycles on the state graph (petgraph `kosaraju_scc`) and lassos |
//! | `native` | the native engine: search, then properties, then verdicts |
//! | `successors` | the native step function over packed states, for a search kept elsewhere (`faultline-cluster`) |
//! | `budget` | state and memory budgets |
//! | `memory` | the machine's memory budget: cgroup, rlimits, MemAvailable, `--max-memory` |
//! | `limit` | engine reasons for `inconclusive` |
//! | `verdict` | verdicts, counterexamples, statistics, reports |
//! | `replay` | re-running a counterexample |
//! | `error` | typed check errors |

mod budget;
mod builder;
mod engines;
mod error;
mod limit;
mod liveness;
mod memory;
mod native;
mod property;
mod reach;
mod reduce;
mod replay;
mod search;
mod store;
mod successors;
mod verdict;

pub use budget::Budget;
pub use builder::Checker;
pub use engines::{Engine, LOOM_MAX_THREADS, Options, replay_shuttle, run};
pub use error::CheckError;
pub use limit::EngineLimit;
pub use memory::{MemoryBudget, Room, parse_size};
pub use native::explore;
pub use property::Property;
pub use reach::{DeadlockState, Deadlocks, Reached, deadlocks, reach};
pub use reduce::{Reduce, Reductions};
pub use replay::{Replayed, replay};
pub use successors::{Expansion, Successors};
pub use verdict::{Counterexample, Limit, PropertyResult, Report, Stats, Status, Verdict};
