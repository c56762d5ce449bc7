//! `faultline explain`.

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
    /// The exploration budget.
    #[command(flatten)]
    pub budget: BudgetArgs,
}
