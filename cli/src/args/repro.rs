//! `faultline repro`.

use clap::Args;

/// Options of `repro`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ReproArgs {
    /// The cases to run (default: every case; `faultline repro --predict` lists them).
    #[arg(value_name = "CASE")]
    pub cases: Vec<String>,
    /// Which kernel to boot.
    #[arg(long, value_name = "KERNEL", default_value = "all",
          value_parser = clap::builder::PossibleValuesParser::new(["6.1", "6.12", "all"]))]
    pub kernel: String,
    /// Print only the model's side (one PREDICT line per case and kernel), boot nothing.
    #[arg(long)]
    pub predict: bool,
}
