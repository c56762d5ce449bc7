//! Errors from loading files, picking a design, a scenario and knobs.

use faultline_lang::BuildError;
use thiserror::Error;

/// Bad input to the catalog. Each message is one line (a file error's first line says
/// `file:line:col`) and names the valid choices.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// Occurs on an unknown design, scenario, knob or value, or a file that does not
    /// compile (the language's own error).
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Occurs when a file cannot be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

impl From<faultline_lang::FileError> for CatalogError {
    fn from(e: faultline_lang::FileError) -> Self {
        CatalogError::Build(BuildError::File(e))
    }
}

impl CatalogError {
    /// The file error, if a file does not compile (for a codespan rendering).
    pub fn file_error(&self) -> Option<&faultline_lang::FileError> {
        match self {
            CatalogError::Build(BuildError::File(f)) => Some(f),
            _ => None,
        }
    }
}
