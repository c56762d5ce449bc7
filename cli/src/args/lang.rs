//! `faultline test` and `faultline show`: the design language's commands.

use std::path::PathBuf;

use clap::Args;

use super::common::knob_setting;

/// Options of `test`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct TestArgs {
    /// `.fl` files whose `expect` and `exists` clauses to run (loaded over the
    /// built-in catalog; a clause may name a design or scenario of any of them, in
    /// any order).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Load this `.fl` file first (designs or scenarios the tested files use);
    /// repeatable. Its own clauses are not run.
    #[arg(long = "file", value_name = "F.fl")]
    pub deps: Vec<PathBuf>,
    /// The exploration budget, per clause.
    #[command(flatten)]
    pub budget: super::common::BudgetArgs,
}

/// Options of `show`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ShowArgs {
    /// A `.fl` file to load over the built-in catalog (`-` for none).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The design.
    #[arg(value_name = "DESIGN")]
    pub design: String,
    /// The scenario.
    #[arg(value_name = "SCENARIO")]
    pub scenario: String,
    /// Set a knob of the design or scenario; repeatable.
    #[arg(long = "set", value_name = "KNOB=VALUE", value_parser = knob_setting)]
    pub sets: Vec<(String, String)>,
}
