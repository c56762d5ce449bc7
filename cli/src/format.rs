//! `--format`: how `check` prints its report.

/// What `check` prints on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// The report for people: step tables and wait-for chains.
    Text,
    /// One JSON object (`--json` is an alias).
    Json,
    /// The DOT of every graph of every violation, one after another.
    Dot,
    /// Each violation as a lockdep-style report in 80 columns, for linux-mm email.
    Splat,
}
