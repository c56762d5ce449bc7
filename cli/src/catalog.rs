//! The catalog a command sees: the built-in designs and scenarios plus the user's
//! `--file F.fl`s, by id (a user design is a new matrix column, a user scenario a new
//! row).

use std::path::PathBuf;

use faultline_checker::Property;
use faultline_models::Catalog;

use crate::error::CliError;

/// The built-in catalog with `files` loaded (a clause may name a design of a file
/// loaded after it); a bad file is a `file:line:col` error.
pub(crate) fn catalog(files: &[PathBuf]) -> Result<Catalog, CliError> {
    let mut c = Catalog::builtin()?.clone();
    let ids: Vec<&str> = Property::ALL.iter().map(|p| p.id()).collect();
    c.set_properties(&ids);
    for f in files {
        c.load_file(f)?;
    }
    c.unresolved()?;
    Ok(c)
}
