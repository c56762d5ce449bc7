//! Errors of the library API.

/// Why loading or checking failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `.fl` file does not compile (`file:line:col`; [`faultline_lang::FileError::render`]
    /// shows the source line and a caret).
    #[error(transparent)]
    File(#[from] faultline_lang::FileError),
    /// An unknown design, scenario or knob, or a bad knob value.
    #[error(transparent)]
    Build(#[from] faultline_lang::BuildError),
    /// The catalog refused something else (an unreadable file it was asked to read).
    #[error(transparent)]
    Catalog(faultline_models::CatalogError),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The checker failed.
    #[error(transparent)]
    Check(#[from] faultline_checker::CheckError),
    /// A replay token is empty or was recorded on another model.
    #[error(transparent)]
    Token(#[from] faultline_traces::TokenError),
    /// A scenario names a property the checker does not know.
    #[error("unknown property `{0}`")]
    UnknownProperty(String),
    /// `test` named a file that was never loaded (a typo would otherwise test nothing).
    #[error("no file `{0}` is loaded (load_file or load_str it first)")]
    UnknownFile(String),
    /// Checking one design x scenario failed; which one.
    #[error("{design} x {scenario}: {source}")]
    In {
        /// The design.
        design: String,
        /// The scenario.
        scenario: String,
        /// What failed.
        source: Box<Error>,
    },
}

impl From<faultline_models::CatalogError> for Error {
    fn from(e: faultline_models::CatalogError) -> Self {
        match e {
            faultline_models::CatalogError::Build(faultline_lang::BuildError::File(f)) => {
                Error::File(f)
            }
            faultline_models::CatalogError::Build(b) => Error::Build(b),
            other => Error::Catalog(other),
        }
    }
}
