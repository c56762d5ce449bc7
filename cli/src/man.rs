//! `faultline completions SHELL` and `faultline man`: generated from the clap tree,
//! so they cannot drift from the parser.

use clap::CommandFactory;

use crate::args::Cli;
use crate::error::CliError;

/// The completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "faultline", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The man page, in roff.
pub(crate) fn page() -> Result<String, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|source| CliError::Write {
            path: "stdout".into(),
            source,
        })?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
