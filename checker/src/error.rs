//! Errors that stop a check (violations are verdicts, not errors).

use faultline_protocol::ModelError;
use thiserror::Error;

/// A check could not be completed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CheckError {
    /// Occurs when the model is malformed: a program breaks a lock rule on some path.
    /// `token` replays the path to the failing step.
    #[error("{error} (path: {token})")]
    Model {
        /// What went wrong.
        error: ModelError,
        /// Replay token of the steps up to and including the failing one.
        token: String,
    },
    /// Occurs when a replayed counterexample does not end in the stored state, which
    /// means the step function is not deterministic (a bug in faultline).
    #[error("counterexample {token} does not replay to the state the explorer stored")]
    ReplayMismatch {
        /// The token that failed to replay.
        token: String,
    },
    /// Occurs when a scenario has more threads than the engine can run exhaustively.
    #[error(
        "{engine} runs at most {max} model threads and this scenario has {threads}; \
         use --engine native or --engine shuttle"
    )]
    TooManyThreads {
        /// The engine.
        engine: &'static str,
        /// Threads in the scenario.
        threads: usize,
        /// The engine's limit.
        max: usize,
    },
    /// Occurs when an engine was left out of the build (cargo features `loom`, `shuttle`).
    #[error("the {engine} engine is not built in: enable faultline-checker's `{engine}` feature")]
    NotBuilt {
        /// The engine.
        engine: &'static str,
    },
    /// Occurs when an engine's violating execution does not violate the property on the
    /// native semantics (a bug in faultline).
    #[error("{engine} reported {property} at {token}, but the native replay disagrees")]
    EngineMismatch {
        /// The engine.
        engine: &'static str,
        /// The property.
        property: &'static str,
        /// The execution's steps.
        token: String,
    },
    /// Occurs when an engine fails unexpectedly (a bug in faultline).
    #[error("{engine} failed: {message} (path: {token})")]
    Engine {
        /// The engine.
        engine: &'static str,
        /// Its panic message, first line.
        message: String,
        /// The steps of the execution it failed in.
        token: String,
    },
    /// Occurs when a shuttle schedule does not parse or does not replay here.
    #[error(
        "bad shuttle schedule `{schedule}` (expected TASKS.CHOICES in base 36, as printed by check)"
    )]
    BadSchedule {
        /// The schedule.
        schedule: String,
    },
    /// A shuttle schedule that parses but is not one of this model's executions.
    #[error("shuttle schedule `{schedule}` does not replay on this model: {why}")]
    ScheduleMismatch {
        /// The schedule.
        schedule: String,
        /// What did not fit.
        why: &'static str,
    },
}
