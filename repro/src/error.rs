//! Typed errors of the harness.

use thiserror::Error;

/// What can go wrong before a verdict.
#[derive(Debug, Error)]
pub enum ReproError {
    /// No such case.
    #[error("unknown case `{name}`; valid cases: {valid}")]
    UnknownCase {
        /// The name given.
        name: String,
        /// The valid names.
        valid: String,
    },
    /// No such kernel.
    #[error("unknown kernel `{0}`; valid kernels: 6.1, 6.12")]
    UnknownKernel(String),
    /// The case's model does not build.
    #[error("model of case `{case}`: {source}")]
    Model {
        /// The case.
        case: String,
        /// Why.
        source: faultline_models::CatalogError,
    },
    /// The model is malformed.
    #[error("model of case `{case}`: {message}")]
    Machine {
        /// The case.
        case: String,
        /// Why.
        message: String,
    },
    /// The check did not decide.
    #[error("model of case `{0}`: the check did not finish within its budget")]
    Undecided(String),
    /// A log file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Bad command line.
    #[error("{0}")]
    Usage(String),
}
