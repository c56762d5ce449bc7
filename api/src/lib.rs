//! faultline as a library, for your own `cargo test`: load `.fl` files (from a path
//! or `include_str!`), check a design against a scenario, and assert on typed results.
//!
//! ```no_run
//! let mut fl = faultline::Faultline::new().expect("the built-in catalog loads");
//! fl.load_str("mine.fl", "design mine { title \"t\"; bool drops_lock_for_io(fault_lock, page) { return 1; } }")
//!     .expect("my design compiles");
//! let checked = fl.check("mine", "fork-fuse", &[]).expect("checks");
//! assert!(checked.holds(faultline::Property::Deadlock));
//! ```
//!
//! | module | holds |
//! |---|---|
//! | `session` | [`Faultline`]: the one session over the one [`Catalog`] (built-in files plus yours), `check` and `test` |
//! | `outcome` | typed results: [`Checked`], [`Outcome`], [`Status`], [`Counterexample`] |
//! | `cell` | [`CellVerdict`]: a matrix cell's verdict keys, LATENCY grade and eviction sensitivity |
//! | `latency` | [`Latency`]: what a writer or fork sleeping on I/O waits for |
//! | `evidence` | [`Evidence`]: one violation's trace, lasso, waits, causes, kill -9 fate, shortest or not, replay token |
//! | `clauses` | `expect` clauses run as tests ([`ClauseResult`]) |
//! | `exists` | `exists` clauses: reachability with the shortest witness |
//! | `error` | [`Error`] |

mod cell;
mod clauses;
mod error;
mod evidence;
mod exists;
mod latency;
mod outcome;
mod session;

pub use cell::{CellVerdict, EVICTION_MARK, EVICTIONS, Eviction, eviction_flip, legend};
pub use clauses::{ClauseResult, ClauseStatus};
pub use error::Error;
pub use evidence::Evidence;
pub use faultline_checker::{Budget, Engine, Property, Stats};
pub use faultline_lang::{FileError, KnobKind};
pub use faultline_models::{Catalog, Design, KnobDef, Model, Scenario};
pub use faultline_traces::{Token, TokenError};
pub use latency::Latency;
pub use outcome::{Checked, Counterexample, Outcome, Status};
pub use session::Faultline;
