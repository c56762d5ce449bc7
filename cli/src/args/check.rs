//! `faultline check`.

use std::path::PathBuf;

use clap::Args;

use super::common::{BudgetArgs, EngineArgs, ModelArgs, PropertyArgs};
use crate::format::Format;

/// Options of `check`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct CheckArgs {
    /// What to check.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Which properties.
    #[command(flatten)]
    pub properties: PropertyArgs,
    /// Write the DOT graphs of each violation into DIR.
    #[arg(long, value_name = "DIR", value_parser = super::common::out_dir())]
    pub dot: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Text)]
    pub format: Format,
    /// Print JSON: `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// The engine and its limits.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// The exploration budget.
    #[command(flatten)]
    pub budget: BudgetArgs,
}

impl CheckArgs {
    /// `--format`, with `--json` its alias.
    pub(crate) fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }
}
