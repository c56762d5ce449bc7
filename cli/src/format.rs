//! `--format`: how `check` prints its report.

use crate::error::CliError;

/// What `check` prints on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// The report for people: step tables and wait-for chains (the default).
    Text,
    /// One JSON object (`--json` is an alias).
    Json,
    /// The DOT of every graph of every violation, one after another.
    Dot,
}

impl Format {
    /// Parses `text`, `json` or `dot`.
    pub(crate) fn parse(s: &str) -> Result<Format, CliError> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "dot" => Ok(Format::Dot),
            _ => Err(CliError::Usage(format!(
                "--format takes text, json or dot, got `{s}`"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_formats_parse_and_others_do_not() {
        assert_eq!(Format::parse("dot").ok(), Some(Format::Dot));
        assert_eq!(Format::parse("json").ok(), Some(Format::Json));
        assert_eq!(Format::parse("text").ok(), Some(Format::Text));
        assert!(Format::parse("svg").is_err());
    }
}
