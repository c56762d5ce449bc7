//! The command line as one clap derive tree: [`Cli`] holds a [`Command`], one variant
//! per subcommand, each with its own args file; option groups shared by several
//! subcommands live in [`common`] and are `#[command(flatten)]`ed in.
//!
//! To add a flag to every command that builds a model, add it to [`ModelArgs`]; to
//! every command that explores, to [`BudgetArgs`] or [`EngineArgs`]; a new subcommand
//! is a new file here and a variant of [`Command`].

mod check;
mod cluster;
mod common;
mod errors;
mod explain;
mod export;
mod lang;
mod matrix;
mod replay;
mod report;
mod repro;

use std::ffi::OsString;

use clap::{CommandFactory, Parser, Subcommand};

pub(crate) use check::CheckArgs;
pub(crate) use cluster::ClusterArgs;
pub(crate) use common::{ListArgs, ModelArgs, OutputArgs, TargetArgs};
pub(crate) use errors::Parsed;
pub(crate) use explain::ExplainArgs;
pub(crate) use export::{ExportArgs, ExportFormat};
pub(crate) use lang::{ShowArgs, TestArgs};
pub(crate) use matrix::{MatrixArgs, MatrixFormat, MergeArgs, Shard};
pub(crate) use replay::ReplayArgs;
pub(crate) use report::ReportArgs;
pub(crate) use repro::ReproArgs;

/// Exit codes, shown at the end of `faultline --help`.
const EXIT_CODES: &str = "\
Exit codes:
  0  every property holds
  1  a property is violated
  2  bad input or a model error (one line on stderr)
  3  inconclusive: a budget stopped the search
  `matrix`, `merge` and `report` exit 0 once every cell is decided (violations are
  their findings), 3 otherwise.";

/// A model checker for Linux mm lock protocols (mmap_lock, per-VMA locks, folio I/O).
#[derive(Debug, Parser)]
#[command(
    name = "faultline",
    version,
    subcommand_required = true,
    after_help = EXIT_CODES,
    max_term_width = 100
)]
pub(crate) struct Cli {
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
    /// No progress line on stderr (it is drawn only when stderr is a terminal).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// What to run.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List designs, scenarios, knobs and properties.
    List(ListArgs),
    /// Check one design against one scenario.
    Check(CheckArgs),
    /// Check every design x scenario and print the matrix.
    Matrix(MatrixArgs),
    /// `check` as one search over timely dataflow workers, processes and machines
    /// (`-w` threads, `-p` this process, `-n` processes, `-h` hostfile); safety only.
    Cluster(ClusterArgs),
    /// Join the `matrix --shard I/N --json` documents of every shard into the table.
    Merge(MergeArgs),
    /// Explain the first violation in 80 columns, for a plain-text email.
    Explain(ExplainArgs),
    /// Write the HTML report of a matrix of checks.
    Report(ReportArgs),
    /// Replay a counterexample token (or, with `--engine shuttle`, a shuttle schedule).
    Replay(ReplayArgs),
    /// Run the `expect` and `exists` clauses of `.fl` files, one line each (exit 0 all
    /// ok, 1 a mismatch, 2 a bad file, 3 undecided).
    Test(TestArgs),
    /// Print the compiled thread programs of a design x scenario (load FILE first).
    Show(ShowArgs),
    /// Boot 6.1 and 6.12 under QEMU, run the real-kernel cases, and compare each with
    /// the model's prediction (exit 0 all agree, 1 one disagrees, 2 a missing part).
    Repro(ReproArgs),
    /// Write a design x scenario as a Promela model for SPIN.
    Export(ExportArgs),
    /// Print a shell completion script on stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout: faultline(1), or faultline-COMMAND(1).
    Man {
        /// The command whose page to print.
        command: Option<String>,
    },
}

/// Parses the arguments after the program name (any bytes: a word that is not UTF-8
/// is an error where a string is expected, never a panic).
pub(crate) fn parse<I: IntoIterator<Item = OsString>>(args: I) -> Parsed {
    let argv: Vec<OsString> = std::iter::once(OsString::from("faultline"))
        .chain(args)
        .collect();
    match Cli::try_parse_from(&argv) {
        Ok(cli) => Parsed::Run(cli),
        Err(e) => {
            // The subcommand named, for the hint (`faultline help check`).
            let sub = argv
                .get(1)
                .and_then(|a| a.to_str())
                .filter(|a| Cli::command().get_subcommands().any(|c| c.get_name() == *a));
            errors::from_clap(e, sub)
        }
    }
}

#[cfg(test)]
mod tests;
