//! Everything that makes the command line exit with code 2: one line each.

use faultline_checker::CheckError;
use faultline_models::CatalogError;
use faultline_protocol::ModelError;
use faultline_traces::{BadToken, LassoError};
use thiserror::Error;

/// Bad input or a model error.
#[derive(Debug, Error)]
#[non_exhaustive]
pub(crate) enum CliError {
    /// Occurs on a command line that clap refuses; the line already says where to
    /// look for help.
    #[error("{0}")]
    Parse(String),
    /// Occurs on a command line that parses but does not make sense; the second field
    /// is the one command to see for help.
    #[error("{0} (see `{1}`)")]
    Usage(String, &'static str),
    /// Occurs on an unknown design, scenario, knob or knob value, or an unreadable
    /// `--file` (a file that does not compile is [`CliError::File`]).
    #[error(transparent)]
    Catalog(CatalogError),
    /// Occurs when the check stops on a model error.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// Occurs when `faultline cluster` cannot start, loses a worker, or is given a bad
    /// hostfile (its model errors are [`CliError::Check`]).
    #[error("{0}")]
    Cluster(faultline_cluster::ClusterError),
    /// Occurs when one matrix cell stops on a model error: which cell.
    #[error("{0}: {1}")]
    Cell(String, CheckError),
    /// Occurs when a replay token does not parse.
    #[error(transparent)]
    Token(#[from] BadToken),
    /// Occurs when a lasso token does not parse or is no cycle here.
    #[error(transparent)]
    Lasso(#[from] LassoError),
    /// Occurs when a replay token does not replay on this design and scenario.
    #[error("the token does not replay here: {0}")]
    Replay(ModelError),
    /// Occurs on a `.fl` file that does not compile: the first line says
    /// `file:line:col`, then the source line and a caret.
    #[error("{}\n{}", .0.headline(), .0.render().trim_end())]
    File(faultline::FileError),
    /// Occurs on an unknown id or knob of a `.fl` catalog, or an unreadable file.
    #[error("{0}")]
    Lang(String),
    /// Occurs when `merge` is given shards that do not fit together, or a file
    /// that is not a shard (`file:line:col` for bad JSON).
    #[error("{0}")]
    Merge(String),
    /// Occurs when a model cannot be exported (an op the language cannot express).
    #[error(transparent)]
    Export(#[from] faultline_promela::ExportError),
    /// Occurs when an output directory names an existing file.
    #[error("{0} is not a directory")]
    NotADirectory(String),
    /// Occurs when an output file cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl From<faultline_cluster::ClusterError> for CliError {
    fn from(e: faultline_cluster::ClusterError) -> Self {
        match e {
            faultline_cluster::ClusterError::Check(c) => CliError::Check(c),
            other => CliError::Cluster(other),
        }
    }
}

impl From<CatalogError> for CliError {
    fn from(e: CatalogError) -> Self {
        match e.file_error() {
            Some(f) => CliError::File(f.clone()),
            None => CliError::Catalog(e),
        }
    }
}
