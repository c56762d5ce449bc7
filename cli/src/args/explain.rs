//! `faultline explain`.

use std::path::PathBuf;

use clap::Args;

use super::common::{BudgetArgs, TargetArgs};

/// Options of `explain`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ExplainArgs {
    /// What to check and which properties.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Also write the DOT graphs of each violation into DIR.
    #[arg(long, value_name = "DIR", value_parser = super::common::out_dir())]
    pub dot: Option<PathBuf>,
    /// The exploration budget.
    #[command(flatten)]
    pub budget: BudgetArgs,
}
