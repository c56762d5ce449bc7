//! Why a loom or shuttle run stopped short of a `holds`.

use std::fmt;

/// An engine-specific reason for `inconclusive`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineLimit {
    /// loom hit the execution cap before it had explored every interleaving.
    LoomCap {
        /// Executions run.
        executions: u64,
    },
    /// One loom execution exceeded loom's branch limit (a very long execution).
    LoomBranches {
        /// Executions run.
        executions: u64,
    },
    /// shuttle's DFS hit the cap, so PCT and random schedules sampled the rest.
    ShuttleSampled {
        /// Executions run in all (DFS, PCT and random).
        executions: u64,
        /// Seed of the PCT and random schedulers.
        seed: u64,
    },
    /// The engine reported a deadlock itself, which ends its run.
    Aborted {
        /// `loom` or `shuttle`.
        engine: &'static str,
        /// Executions run.
        executions: u64,
    },
    /// The scenario has more threads than the engine runs (`faultline check` refuses
    /// it with an error; the matrix marks the cell undecided).
    TooManyThreads {
        /// `loom`.
        engine: &'static str,
        /// Threads in the scenario.
        threads: usize,
        /// The engine's limit.
        max: usize,
    },
    /// loom and shuttle stop every execution at a step cap and know no fairness, so a
    /// liveness property cannot hold on them.
    Liveness {
        /// `loom` or `shuttle`.
        engine: &'static str,
    },
    /// The distributed search (`faultline cluster`) keeps the state graph in pieces
    /// on several processes, and liveness needs it whole.
    Partitioned,
}

impl fmt::Display for EngineLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineLimit::LoomCap { executions } => write!(
                f,
                "loom stopped at the cap of {executions} executions without exhausting the \
                 interleavings (raise --executions)"
            ),
            EngineLimit::LoomBranches { executions } => write!(
                f,
                "loom stopped after {executions} executions: an execution exceeded loom's \
                 branch limit"
            ),
            EngineLimit::ShuttleSampled { executions, seed } => write!(
                f,
                "shuttle DFS did not finish within the cap; {executions} executions (DFS, then \
                 PCT and random with seed {seed}), no violation; not exhaustive"
            ),
            EngineLimit::Aborted { engine, executions } => write!(
                f,
                "{engine} stopped after {executions} executions on a deadlock it detected itself"
            ),
            EngineLimit::TooManyThreads {
                engine,
                threads,
                max,
            } => write!(
                f,
                "{engine} runs at most {max} model threads and this scenario has {threads}"
            ),
            EngineLimit::Liveness { engine } => write!(
                f,
                "{engine} cannot check liveness (no fairness, every execution ends at a step \
                 cap); use --engine native"
            ),
            EngineLimit::Partitioned => f.write_str(
                "the distributed search keeps the state graph partitioned over processes and \
                 liveness needs it whole; use faultline check",
            ),
        }
    }
}
