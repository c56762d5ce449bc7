//! `faultline matrix`.

use std::path::PathBuf;

use clap::Args;

use super::common::{BudgetArgs, EngineArgs, SelectArgs};

/// How `matrix` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MatrixFormat {
    /// A plain-text table.
    Text,
    /// A markdown table.
    Markdown,
    /// One JSON document.
    Json,
}

/// Options of `matrix`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct MatrixArgs {
    /// Which cells.
    #[command(flatten)]
    pub select: SelectArgs,
    /// Write the DOT graphs of each violated cell into DIR.
    #[arg(long, value_name = "DIR", value_parser = super::common::out_dir())]
    pub dot: Option<PathBuf>,
    /// Print one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Print a markdown table.
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// The engine and its limits, per cell.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// The exploration budget, per cell.
    #[command(flatten)]
    pub budget: BudgetArgs,
}

impl MatrixArgs {
    /// The output format.
    pub(crate) fn format(&self) -> MatrixFormat {
        match (self.json, self.markdown) {
            (true, _) => MatrixFormat::Json,
            (false, true) => MatrixFormat::Markdown,
            (false, false) => MatrixFormat::Text,
        }
    }
}
