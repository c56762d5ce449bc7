//! One entry point for every engine: [`run`] checks a machine with the native
//! explorer, loom or shuttle and returns the same [`Report`], with counterexamples
//! replayed on the native semantics.
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

mod choices;
mod loom;
mod quiet;
mod rt;
mod runner;
mod schedule;
mod shuttle;

use std::fmt;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use faultline_protocol::{Machine, Step};
use faultline_traces::Trace;

use crate::budget::Budget;
use crate::error::CheckError;
use crate::limit::EngineLimit;
use crate::memory::MemoryBudget;
use crate::native;
use crate::property::Property;
use crate::reduce::Reduce;
use crate::verdict::{Counterexample, Limit, PropertyResult, Report, Stats, Verdict};

use self::choices::Oracle;
pub use self::loom::MAX_MODEL_THREADS as LOOM_MAX_THREADS;
use self::runner::{Ctx, Found};

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

/// Checks `props` on `m` with `engine`.
pub fn run(
    engine: Engine,
    m: &Machine,
    props: &[Property],
    opts: &Options,
) -> Result<Report, CheckError> {
    run_with_progress(engine, m, props, opts, &mut |_| {})
}

/// [`run`], with progress reports about once a second (loom and shuttle: executions
/// and distinct states so far).
pub fn run_with_progress(
    engine: Engine,
    m: &Machine,
    props: &[Property],
    opts: &Options,
    progress: &mut dyn FnMut(&Stats),
) -> Result<Report, CheckError> {
    let start = Instant::now();
    // Per-state properties run inside the executions; liveness needs the state graph.
    let checked: Vec<bool> = props.iter().map(|&p| per_state(p)).collect();
    let (ctx, limit) = match engine {
        Engine::Native => {
            return native::check(m, props, &opts.budget, opts.reduce, opts.threads, progress);
        }
        Engine::Loom => {
            let ctx = Arc::new(Ctx::new(m, props, checked, Oracle::default(), opts.seed));
            let limit = if ctx_has_work(props) {
                watched(&ctx, start, progress, || {
                    loom::check(&ctx, opts.max_executions)
                })?
            } else {
                None
            };
            (ctx, limit)
        }
        Engine::Shuttle => {
            let ctx = Arc::new(Ctx::new(m, props, checked, Oracle::default(), opts.seed));
            let limit = if ctx_has_work(props) {
                watched(&ctx, start, progress, || {
                    shuttle::check(&ctx, opts.max_executions, opts.seed)
                })?
            } else {
                None
            };
            (ctx, limit)
        }
    };
    report(engine, m, props, &ctx, limit, start)
}

/// Re-runs a shuttle schedule printed with a counterexample; returns its steps (replay
/// them with [`crate::replay`]).
pub fn replay_shuttle(m: &Machine, schedule: &str) -> Result<Vec<Step>, CheckError> {
    shuttle::replay(&shuttle::replay_ctx(m), schedule)
}

/// Whether `p` is decided state by state (so loom and shuttle can check it). Liveness
/// needs cycles in the state graph under fairness, which neither engine has.
fn per_state(p: Property) -> bool {
    !p.is_liveness()
}

fn ctx_has_work(props: &[Property]) -> bool {
    props.iter().any(|&p| per_state(p))
}

/// Runs `engine_run` on a worker thread and reports the log's counts to `progress`
/// each second until it ends; a run shorter than that costs one thread spawn.
fn watched<T: Send>(
    ctx: &Ctx,
    start: Instant,
    progress: &mut dyn FnMut(&Stats),
    engine_run: impl FnOnce() -> T + Send,
) -> T {
    std::thread::scope(|s| {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let worker = s.spawn(move || {
            let out = engine_run();
            let _ = done.send(());
            out
        });
        while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(Duration::from_secs(1)) {
            let stats = ctx.log().stats(start);
            progress(&stats);
        }
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn report(
    engine: Engine,
    m: &Machine,
    props: &[Property],
    ctx: &Ctx,
    limit: Option<EngineLimit>,
    start: Instant,
) -> Result<Report, CheckError> {
    let log = ctx.log();
    if let Some(e) = &log.error {
        return Err(e.clone());
    }
    let mut results = Vec::with_capacity(props.len());
    for (k, &property) in props.iter().enumerate() {
        let verdict = if !per_state(property) {
            Verdict::Inconclusive(Limit::Engine(EngineLimit::Liveness {
                engine: engine.id(),
            }))
        } else if let Some(found) = &log.found[k] {
            Verdict::Violated(Box::new(counterexample(engine, m, property, found)?))
        } else if let Some(l) = limit {
            Verdict::Inconclusive(Limit::Engine(l))
        } else {
            Verdict::Holds
        };
        results.push(PropertyResult { property, verdict });
    }
    Ok(Report {
        engine: engine.id(),
        results,
        stats: log.stats(start),
    })
}

/// Replays an engine's violating execution on the native semantics, which must agree.
fn counterexample(
    engine: Engine,
    m: &Machine,
    p: Property,
    found: &Found,
) -> Result<Counterexample, CheckError> {
    let mismatch = || CheckError::EngineMismatch {
        engine: engine.id(),
        property: p.id(),
        token: runner::token(&found.steps),
    };
    let trace = Trace::replay(m, &found.steps).map_err(|_| mismatch())?;
    let mut enabled = Vec::new();
    m.enabled(trace.last(), &mut enabled);
    if !p.violated_at(m, trace.last(), &enabled) {
        return Err(mismatch());
    }
    let mut cx = Counterexample::at_end(m, trace, p);
    cx.schedule = found.schedule.clone();
    Ok(cx)
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
