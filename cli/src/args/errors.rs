//! clap's outcomes in faultline's terms: help and version print and exit 0; every
//! other error is one line (`faultline: error: ...`) and exit 2.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use clap::CommandFactory;

use super::Cli;

/// The outcome of parsing.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// A command to run.
    Run(Cli),
    /// Help or version text for stdout; exit 0.
    Print(String),
    /// A usage error, one line without the `faultline: error: ` prefix; exit 2.
    Usage(String),
}

/// Sorts clap's error into help text and one-line usage errors; `sub` is the
/// subcommand named on the command line, if any.
pub(super) fn from_clap(e: clap::Error, sub: Option<&str>) -> Parsed {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Parsed::Print(e.to_string()),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            let names: Vec<String> = Cli::command()
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            Parsed::Usage(format!(
                "no command given; commands: {}, help (see `faultline help`)",
                names.join(", ")
            ))
        }
        _ => Parsed::Usage(one_line(&e, sub)),
    }
}

/// The first line of clap's message with what its later lines add (valid values, a
/// suggestion, the usage) folded in.
fn one_line(e: &clap::Error, sub: Option<&str>) -> String {
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("bad command line");
    let mut line = first.trim_start_matches("error: ").trim().to_string();
    let values = |kind| match e.get(kind) {
        Some(ContextValue::Strings(v)) if !v.is_empty() => Some(v.join(", ")),
        Some(ContextValue::String(v)) => Some(v.clone()),
        _ => None,
    };
    if e.kind() == ErrorKind::MissingRequiredArgument
        && let Some(v) = values(ContextKind::InvalidArg)
    {
        line += &format!(" {v}");
    }
    if let Some(v) = values(ContextKind::ValidValue) {
        line += &format!("; valid values: {v}");
    }
    if let Some(v) = values(ContextKind::ValidSubcommand) {
        line += &format!("; commands: {v}");
    }
    if let Some(v) = values(ContextKind::SuggestedArg) {
        line += &format!("; did you mean `{v}`?");
    }
    let help = match sub {
        Some(sub) => format!("faultline help {sub}"),
        None => "faultline help".into(),
    };
    match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(u)) => {
            let usage = u.to_string();
            let usage = usage.trim().trim_start_matches("Usage:").trim();
            line += &format!(" (usage: {usage}; see `{help}`)");
        }
        _ => line += &format!(" (see `{help}`)"),
    }
    line
}
