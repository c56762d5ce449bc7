//! `faultline report`.

use std::path::PathBuf;

use clap::Args;

use super::common::{BudgetArgs, SelectArgs};

/// Options of `report`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ReportArgs {
    /// The output directory (created if missing).
    #[arg(long, value_name = "DIR", value_parser = super::common::out_dir())]
    pub out: PathBuf,
    /// Which cells.
    #[command(flatten)]
    pub select: SelectArgs,
    /// The exploration budget, per cell.
    #[command(flatten)]
    pub budget: BudgetArgs,
}
