//! `faultline explain`.

use std::path::PathBuf;

use clap::Args;

use super::common::{BudgetArgs, ModelArgs, PropertyArgs};

/// Options of `explain`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ExplainArgs {
    /// What to check.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Which properties.
    #[command(flatten)]
    pub properties: PropertyArgs,
    /// Also write the DOT graphs of each violation into DIR.
    #[arg(long, value_name = "DIR", value_parser = super::common::out_dir())]
    pub dot: Option<PathBuf>,
    /// The exploration budget.
    #[command(flatten)]
    pub budget: BudgetArgs,
}
