//! `faultline check`.

use clap::Args;

use super::common::{BudgetArgs, EngineArgs, OutputArgs, TargetArgs};

/// Options of `check`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct CheckArgs {
    /// What to check and which properties.
    #[command(flatten)]
    pub target: TargetArgs,
    /// DOT files and what to print on stdout.
    #[command(flatten)]
    pub output: OutputArgs,
    /// The engine and its limits.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// The exploration budget.
    #[command(flatten)]
    pub budget: BudgetArgs,
}
