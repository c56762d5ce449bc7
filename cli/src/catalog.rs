//! The session a command sees: the built-in designs and scenarios plus the user's
//! `--file F.fl`s, by id (a user design is a new matrix column, a user scenario a new
//! row).

use std::path::PathBuf;

use faultline::{Catalog, Faultline};

use crate::error::CliError;

/// The session over the built-in catalog with `files` loaded (a clause may name a
/// design of a file loaded after it); a bad file is a `file:line:col` error.
pub(crate) fn session(files: &[PathBuf]) -> Result<Faultline, CliError> {
    Ok(Faultline::with_catalog(Catalog::with_files(files)?))
}
