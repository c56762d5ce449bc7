//! One dispatch for every engine: [`Checker::run`] (and [`run`], its wrapper) checks a
//! machine with the native explorer, loom or shuttle and returns the same [`Report`],
//! with counterexamples replayed on the native semantics.
//!
//! | module | holds |
//! |---|---|
//! | `runner` | the model threads as engine threads over one mutex-guarded world |
//! | `rt` | the engine primitives the runner needs |
//! | `schedule` | shuttle schedules as text |
//! | `choices` | making nondeterministic choices explorable |
//! | `loom` | the loom engine |
//! | `shuttle` | the shuttle engine and schedule replay |
//! | `quiet` | keeping caught engine panics off stderr |
//! | `threaded` | a loom or shuttle run over the runner, its progress and verdicts |
//!
//! loom and shuttle are cargo features, on by default; without one, [`run`] answers
//! that engine with [`CheckError::NotBuilt`].

// loom and shuttle are cargo features (on by default); the runner serves both.
#[cfg(any(feature = "loom", feature = "shuttle"))]
mod choices;
#[cfg(feature = "loom")]
mod loom;
#[cfg(any(feature = "loom", feature = "shuttle"))]
mod quiet;
#[cfg(any(feature = "loom", feature = "shuttle"))]
mod rt;
#[cfg(any(feature = "loom", feature = "shuttle"))]
mod runner;
#[cfg(any(feature = "loom", feature = "shuttle"))]
mod schedule;
#[cfg(feature = "shuttle")]
mod shuttle;
#[cfg(any(feature = "loom", feature = "shuttle"))]
mod threaded;

use std::fmt;

use faultline_protocol::{Machine, Step};

use crate::budget::Budget;
use crate::builder::Checker;
use crate::error::CheckError;
use crate::memory::MemoryBudget;
use crate::native;
use crate::property::Property;
use crate::reduce::Reduce;
use crate::verdict::{Report, Stats};

/// Most model threads the loom engine runs (loom allows 5 threads, main included).
pub const LOOM_MAX_THREADS: usize = 4;

/// Which engine checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Engine {
    /// The native breadth-first explorer.
    #[default]
    Native,
    /// loom: exhaustive over interleavings, at most 4 model threads.
    Loom,
    /// shuttle: DFS when it finishes within the cap, else PCT and random sampling.
    Shuttle,
}

impl Engine {
    /// Every engine.
    pub const ALL: &'static [Engine] = &[Engine::Native, Engine::Loom, Engine::Shuttle];

    /// Stable id (`native`, `loom`, `shuttle`).
    pub fn id(self) -> &'static str {
        match self {
            Engine::Native => "native",
            Engine::Loom => "loom",
            Engine::Shuttle => "shuttle",
        }
    }

    /// The engine with this id.
    pub fn parse(id: &str) -> Option<Engine> {
        Engine::ALL.iter().copied().find(|e| e.id() == id)
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How far an engine may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The native explorer's state and memory budget.
    pub budget: Budget,
    /// Most executions loom or shuttle's DFS may run (shuttle then samples as many
    /// again).
    pub max_executions: u64,
    /// Seed of shuttle's PCT and random schedulers and of their choices.
    pub seed: u64,
    /// Reductions the native engine may use (when sound for the properties).
    pub reduce: Reduce,
    /// Threads the native engine computes successors on (results do not depend on it).
    pub threads: usize,
}

impl Options {
    /// Default execution cap.
    pub const DEFAULT_MAX_EXECUTIONS: u64 = 100_000;
    /// Default seed.
    pub const DEFAULT_SEED: u64 = 42;

    /// The cores this process may use.
    pub fn default_threads() -> usize {
        std::thread::available_parallelism().map_or(1, usize::from)
    }

    /// The one engine configuration of every command and the library: all
    /// reductions, `threads` (default: the cores) capped to what `RLIMIT_AS` leaves
    /// address space for, `max_states` and the machine's memory budget with
    /// `max_memory` ([`MemoryBudget::detect`], read once: the budget printed is the
    /// one enforced).
    pub fn machine(
        threads: Option<usize>,
        max_states: u64,
        max_memory: Option<u64>,
    ) -> (Options, MemoryBudget) {
        let memory =
            MemoryBudget::detect(max_memory, threads.unwrap_or_else(Self::default_threads));
        let opts = Options {
            budget: Budget::with_memory(max_states, &memory),
            max_executions: Self::DEFAULT_MAX_EXECUTIONS,
            seed: Self::DEFAULT_SEED,
            reduce: Reduce::default(),
            threads: memory.threads,
        };
        (opts, memory)
    }
}

impl Default for Options {
    /// [`Options::machine`] with every default.
    fn default() -> Self {
        Options::machine(None, Budget::DEFAULT_MAX_STATES, None).0
    }
}

/// Checks `props` on `m` with `engine`: [`Checker`] with these options (set
/// [`Checker::progress`] for progress reports).
pub fn run(
    engine: Engine,
    m: &Machine,
    props: &[Property],
    opts: &Options,
) -> Result<Report, CheckError> {
    Checker::new(m)
        .engine(engine)
        .options(opts)
        .properties(props)
        .run()
}

/// The one dispatch to an engine, behind [`Checker::run`].
pub(crate) fn check(
    engine: Engine,
    m: &Machine,
    props: &[Property],
    opts: &Options,
    progress: &mut dyn FnMut(&Stats),
) -> Result<Report, CheckError> {
    match engine {
        Engine::Native => {
            native::check(m, props, &opts.budget, opts.reduce, opts.threads, progress)
        }
        #[cfg(feature = "loom")]
        Engine::Loom => threaded::threaded(engine, m, props, opts, progress, |ctx| {
            loom::check(ctx, opts.max_executions)
        }),
        #[cfg(feature = "shuttle")]
        Engine::Shuttle => threaded::threaded(engine, m, props, opts, progress, |ctx| {
            shuttle::check(ctx, opts.max_executions, opts.seed)
        }),
        #[cfg(not(all(feature = "loom", feature = "shuttle")))]
        _ => Err(CheckError::NotBuilt {
            engine: engine.id(),
        }),
    }
}

/// Re-runs a shuttle schedule printed with a counterexample; returns its steps (replay
/// them with [`crate::replay`]).
pub fn replay_shuttle(m: &Machine, schedule: &str) -> Result<Vec<Step>, CheckError> {
    #[cfg(feature = "shuttle")]
    return shuttle::replay(&shuttle::replay_ctx(m), schedule);
    #[cfg(not(feature = "shuttle"))]
    {
        let _ = (m, schedule);
        Err(CheckError::NotBuilt { engine: "shuttle" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_ids_round_trip_and_unknown_ones_do_not_parse() {
        for &e in Engine::ALL {
            assert_eq!(Engine::parse(e.id()), Some(e));
        }
        assert_eq!(Engine::parse("spin"), None);
    }
}
