//! `faultline export`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::ModelArgs;

/// Options of `export`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ExportArgs {
    /// What to export.
    #[command(flatten)]
    pub model: ModelArgs,
    /// The language to write.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ExportFormat::Promela)]
    pub format: ExportFormat,
    /// Write to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// A Promela model for SPIN: its stored states are `check --reduce none`'s, and an
    /// invalid end state is a deadlock.
    Promela,
}
