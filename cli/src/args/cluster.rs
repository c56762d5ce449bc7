//! `faultline cluster`: `check`'s model and properties, on timely dataflow's workers.

use std::path::PathBuf;

use clap::{ArgAction, Args};
use faultline_checker::Reduce;

use super::common::{BudgetArgs, ModelArgs, PropertyArgs};
use crate::format::Format;

/// Options of `cluster`. The cluster options are timely's own (`-w`, `-p`, `-n`,
/// `-h`), so `-h` is the hostfile here and help is `--help`.
#[derive(Debug, Args, PartialEq)]
#[command(disable_help_flag = true)]
pub(crate) struct ClusterArgs {
    /// What to check.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Which properties (liveness is inconclusive here: it needs one process).
    #[command(flatten)]
    pub properties: PropertyArgs,
    /// Write the DOT graphs of each violation into DIR (process 0).
    #[arg(long, value_name = "DIR", value_parser = super::common::out_dir())]
    pub dot: Option<PathBuf>,
    /// What process 0 prints on stdout.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Text)]
    pub format: Format,
    /// Print JSON: `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Reductions, as `check` uses them.
    #[arg(long, value_name = "R", default_value = "all",
          value_parser = super::common::reduce_ids())]
    pub reduce: Reduce,
    /// Worker threads per process.
    #[arg(short = 'w', long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: u16,
    /// This process's index, from 0.
    #[arg(short = 'p', long, value_name = "I", default_value_t = 0)]
    pub process: u16,
    /// Processes in the cluster.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub processes: u16,
    /// A file of `host:port` lines, one per process (default: localhost:2101, 2102, ...).
    #[arg(short = 'h', long, value_name = "FILE")]
    pub hostfile: Option<PathBuf>,
    /// The exploration budget of the whole search (each worker gets its share).
    #[command(flatten)]
    pub budget: BudgetArgs,
    /// Print help.
    #[arg(long, action = ArgAction::Help)]
    help: Option<bool>,
}

impl ClusterArgs {
    /// `--format`, with `--json` its alias.
    pub(crate) fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }
}
