//! `faultline repro`.

use clap::Args;

/// Options of `repro`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ReproArgs {
    /// The cases to run (default: every case; `faultline repro --predict` lists them).
    #[arg(value_name = "CASE")]
    pub cases: Vec<String>,
    /// Which Debian kernel package to boot (with neither this nor --design: every
    /// kernel and every design; with --predict: 6.1 and 6.12).
    #[arg(long, value_name = "KERNEL",
          value_parser = clap::builder::PossibleValuesParser::new(
              ["6.1", "6.12", "6.18", "6.19", "7.2", "7.3", "7.3-rc", "all"]))]
    pub kernel: Option<String>,
    /// Which kernel built from source to boot: 7.2 with a design's patch series
    /// (`repro/patches/`), judged against that design's model.
    #[arg(long, value_name = "DESIGN",
          value_parser = clap::builder::PossibleValuesParser::new(
              faultline_repro::BUILDS.iter().map(|b| b.series).chain(["all"])))]
    pub design: Option<String>,
    /// Print only the model's side (one PREDICT line per case and kernel), boot nothing.
    #[arg(long)]
    pub predict: bool,
}
