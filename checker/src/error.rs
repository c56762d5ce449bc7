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
}
