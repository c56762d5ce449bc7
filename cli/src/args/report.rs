//! `faultline report`.

use std::path::PathBuf;

use clap::Args;

use super::common::SelectArgs;

/// Options of `report`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ReportArgs {
    /// The output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Which cells.
    #[command(flatten)]
    pub select: SelectArgs,
}
