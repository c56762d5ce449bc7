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
    /// Compute only shard I of N (1 <= I <= N): the cells k, in the matrix's order
    /// (scenario, then design), with k mod N = I - 1. Needs `--json`; `faultline
    /// merge` joins the shards' documents into the table.
    #[arg(long, value_name = "I/N", value_parser = shard, requires = "json",
          conflicts_with = "markdown")]
    pub shard: Option<Shard>,
}

/// `--shard I/N`: which of N interleaved parts of the cells to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shard {
    /// 1-based, like a job array's task id.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// The whole matrix.
    pub(crate) const ALL: Shard = Shard { index: 1, count: 1 };

    /// Whether cell `k` (0-based, in matrix order) is in this shard.
    pub(crate) fn has(self, k: usize) -> bool {
        k as u64 % self.count == self.index - 1
    }
}

fn shard(s: &str) -> Result<Shard, String> {
    let bad = || format!("`{s}` is not I/N with 1 <= I <= N (as in `--shard 2/4`)");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (index, count): (u64, u64) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if index == 0 || index > count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// Options of `merge`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct MergeArgs {
    /// The `faultline matrix --shard I/N --json` documents, one per shard, any order.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Print a markdown table.
    #[arg(long)]
    pub markdown: bool,
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
