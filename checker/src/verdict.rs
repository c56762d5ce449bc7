//! Verdicts, counterexamples, statistics: what a check reports.

use std::fmt;
use std::time::Duration;

use faultline_protocol::Machine;
use faultline_traces::{Trace, WaitForGraph};

use crate::engines::Engine;
use crate::limit::EngineLimit;
use crate::property::Property;
use crate::reduce::Reductions;

/// The outcome for one property.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// The whole reachable state space was explored and no state violates it.
    Holds,
    /// A violating state was reached; here is the shortest way there.
    Violated(Box<Counterexample>),
    /// Exploration stopped before the space was exhausted; nothing is claimed.
    Inconclusive(Limit),
}

impl Verdict {
    /// Holds, violated or inconclusive, without the evidence.
    pub fn status(&self) -> Status {
        match self {
            Verdict::Holds => Status::Holds,
            Verdict::Violated(_) => Status::Violated,
            Verdict::Inconclusive(_) => Status::Inconclusive,
        }
    }
}

/// A verdict's kind, ordered from best to worst (a report's overall status is the
/// worst of its verdicts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Every property checked holds.
    Holds,
    /// Some property was not decided within the budget.
    Inconclusive,
    /// Some property is violated.
    Violated,
}

impl Status {
    /// Stable id (`holds`, `inconclusive`, `violated`), as JSON and HTML classes write it.
    pub fn id(self) -> &'static str {
        match self {
            Status::Holds => "holds",
            Status::Inconclusive => "inconclusive",
            Status::Violated => "violated",
        }
    }

    /// The command line's exit code for it: 0 holds, 1 violated, 3 inconclusive.
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Holds => 0,
            Status::Violated => 1,
            Status::Inconclusive => 3,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Evidence for a violation.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The steps from the initial state, replayed.
    pub trace: Trace,
    /// The wait-for graph at the violating state; for a lasso, every wait along its
    /// cycle (a livelock's final state may wait for nothing).
    pub wait_for: WaitForGraph,
    /// For a liveness violation (a lasso): the step index where the cycle starts; the
    /// state before that step equals the final state.
    pub cycle_from: Option<usize>,
    /// The shuttle schedule that reproduces it, when shuttle found it.
    pub schedule: Option<String>,
    /// No shorter trace violates the property: the native breadth-first search found
    /// it without partial-order reduction (symmetry keeps depths).
    pub shortest: bool,
}

impl Counterexample {
    /// The evidence for `property` violated at the end of `trace`: the wait-for graph
    /// of the final state, with the chain of waits to the I/O marked for a latency
    /// property. One constructor for every engine.
    pub(crate) fn at_end(m: &Machine, trace: Trace, property: Property) -> Counterexample {
        let mut wait_for = WaitForGraph::at(m, trace.last());
        if let Some(t) = property.latency_victim(m, trace.last())
            && let Some(chain) = wait_for.chain_from(t)
        {
            wait_for.mark_chain(&chain);
        }
        Counterexample {
            trace,
            wait_for,
            cycle_from: None,
            schedule: None,
            shortest: false,
        }
    }
}

/// Why exploration stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// The state budget (`--max-states`) was reached.
    States {
        /// The budget.
        max: u64,
        /// States stored but not yet expanded when it stopped.
        unexplored: u64,
    },
    /// The memory budget was reached.
    Memory {
        /// The budget in bytes.
        max_bytes: u64,
        /// States stored but not yet expanded when it stopped.
        unexplored: u64,
    },
    /// The system refused memory for more states.
    Alloc {
        /// Bytes the state store held.
        bytes: u64,
        /// States stored but not yet expanded when it stopped.
        unexplored: u64,
    },
    /// Every state was explored, but the transition list liveness needs outgrew its
    /// share of the memory budget.
    LivenessGraph {
        /// Bytes allowed for the transitions.
        max_bytes: u64,
    },
    /// loom or shuttle stopped short of exhausting the interleavings.
    Engine(EngineLimit),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::States { max, unexplored } => write!(
                f,
                "stopped at the state budget of {max} states with {unexplored} states unexplored \
                 (raise --max-states)"
            ),
            Limit::Memory {
                max_bytes,
                unexplored,
            } => write!(
                f,
                "stopped at the memory budget of {} MiB with {unexplored} states unexplored",
                max_bytes >> 20
            ),
            Limit::Alloc { bytes, unexplored } => write!(
                f,
                "stopped when the system refused more memory at {} MiB with {unexplored} \
                 states unexplored (lower --max-memory or free memory)",
                bytes >> 20
            ),
            Limit::LivenessGraph { max_bytes } => write!(
                f,
                "the state graph for liveness outgrew {} MiB (a quarter of the memory \
                 budget); safety properties were fully checked",
                max_bytes >> 20
            ),
            Limit::Engine(l) => l.fmt(f),
        }
    }
}

/// One property's result.
#[derive(Clone, Debug)]
pub struct PropertyResult {
    /// The property.
    pub property: Property,
    /// Its verdict.
    pub verdict: Verdict,
}

/// Exploration statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Unique states stored.
    pub states: u64,
    /// Transitions taken (successors computed, new or not).
    pub transitions: u64,
    /// Deepest breadth-first level expanded.
    pub depth: u32,
    /// Wall time.
    pub elapsed: Duration,
    /// Bytes held by the state store at the end.
    pub bytes: u64,
    /// Executions run (loom and shuttle; 0 for the native engine, which counts states).
    pub executions: u64,
    /// The reductions that ran (native engine).
    pub reductions: Reductions,
    /// States a full (unreduced) search visits, where known: the stored states when no
    /// reduction ran and the search finished.
    pub full_states: Option<u64>,
}

impl Stats {
    /// Unique states per second of wall time.
    pub fn states_per_sec(&self) -> f64 {
        self.states as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Executions per second of wall time (loom and shuttle).
    pub fn executions_per_sec(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.executions > 0 {
            return write!(
                f,
                "{} executions, {} distinct states, {} steps, depth {}, {:.3} s, {:.0} executions/s",
                self.executions,
                self.states,
                self.transitions,
                self.depth,
                self.elapsed.as_secs_f64(),
                self.executions_per_sec()
            );
        }
        write!(
            f,
            "{} states, {} transitions, depth {}, {:.3} s, {:.0} states/s, {:.1} MiB",
            self.states,
            self.transitions,
            self.depth,
            self.elapsed.as_secs_f64(),
            self.states_per_sec(),
            self.bytes as f64 / f64::from(1 << 20)
        )?;
        if self.reductions != Reductions::default() {
            write!(f, ", {}", self.reductions)?;
        }
        Ok(())
    }
}

/// Everything a check found.
#[derive(Clone, Debug)]
pub struct Report {
    /// The engine that ran.
    pub engine: Engine,
    /// One result per property asked for, in the order asked.
    pub results: Vec<PropertyResult>,
    /// How much was explored.
    pub stats: Stats,
}

impl Report {
    /// Whether the memory budget (or the system's refusal) stopped some property.
    pub fn stopped_by_memory(&self) -> bool {
        self.results.iter().any(|r| {
            matches!(
                r.verdict,
                Verdict::Inconclusive(Limit::Memory { .. } | Limit::Alloc { .. })
            )
        })
    }

    /// The worst outcome: violated over inconclusive over holds.
    pub fn overall(&self) -> Status {
        let worst = self.results.iter().map(|r| r.verdict.status()).max();
        worst.unwrap_or(Status::Holds)
    }
}
