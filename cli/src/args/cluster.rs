//! `faultline cluster`: `check`'s model and properties, on timely dataflow's workers.

use std::path::PathBuf;

use clap::{ArgAction, Args};
use faultline_checker::Reduce;

use super::common::{BudgetArgs, OutputArgs, TargetArgs};

/// Options of `cluster`. The cluster options are timely's own (`-w`, `-p`, `-n`,
/// `-h`), so `-h` is the hostfile here and help is `--help`.
#[derive(Debug, Args, PartialEq)]
#[command(disable_help_flag = true)]
// `check`'s output options, said of process 0 (the one that prints).
#[command(mut_arg("dot", |a| a.help("Write the DOT graphs of each violation into DIR (process 0)")))]
#[command(mut_arg("format", |a| a.help("What process 0 prints on stdout")))]
pub(crate) struct ClusterArgs {
    /// What to check and which properties (liveness is inconclusive here: it needs
    /// one process).
    #[command(flatten)]
    pub target: TargetArgs,
    /// DOT files and what process 0 prints.
    #[command(flatten)]
    pub output: OutputArgs,
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
