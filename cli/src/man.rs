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

/// The man page of faultline, or of one of its commands, in roff.
pub(crate) fn page(command: Option<&str>) -> Result<String, CliError> {
    let mut cmd = Cli::command();
    if let Some(name) = command {
        cmd.build();
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        let Some(sub) = cmd.find_subcommand(name).cloned() else {
            return Err(CliError::Usage(
                format!("no command `{name}`; commands: {}", names.join(", ")),
                "faultline help man",
            ));
        };
        let title = format!("faultline-{name}");
        let mut out = Vec::new();
        clap_mangen::Man::new(sub.bin_name(format!("faultline {name}")))
            .title(title)
            .render(&mut out)
            .map_err(|source| CliError::Write {
                path: "stdout".into(),
                source,
            })?;
        return Ok(String::from_utf8_lossy(&out).into_owned());
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .map_err(|source| CliError::Write {
            path: "stdout".into(),
            source,
        })?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
