//! What stops a distributed check (violations are verdicts, not errors).

use faultline_checker::CheckError;
use thiserror::Error;

/// A distributed check could not be completed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// Occurs when the cluster's arguments or hostfile are wrong.
    #[error("{0}")]
    Config(String),
    /// Occurs when timely cannot start (a port taken, an address that does not
    /// resolve).
    #[error("cannot start the cluster: {0}")]
    Start(String),
    /// Occurs when a worker fails (a peer process died, a connection broke).
    #[error("a worker failed: {0}")]
    Worker(String),
    /// Occurs on a process other than 0 when the search stopped on a model error
    /// (process 0 reports it with its path).
    #[error("the search stopped on a model error; process 0 reports it")]
    PeerModelError,
    /// Occurs when the check itself fails (a model error, a replay mismatch).
    #[error(transparent)]
    Check(#[from] CheckError),
}
