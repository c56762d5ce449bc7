//! `faultline replay`.

use clap::Args;
use faultline_checker::Engine;

use super::common::ModelArgs;
use crate::error::CliError;

/// Options of `replay`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ReplayArgs {
    /// The model the token was found on.
    #[command(flatten)]
    pub model: ModelArgs,
    /// The counterexample: a step token (`t0,t1,...`), or a shuttle schedule with
    /// `--engine shuttle`.
    #[arg(value_name = "TOKEN")]
    pub token: String,
    /// `native` replays a step token, `shuttle` re-runs a shuttle schedule.
    #[arg(long, value_name = "ENGINE", default_value = "native",
          value_parser = clap::builder::PossibleValuesParser::new(["native", "shuttle", "loom"]))]
    engine: String,
}

impl ReplayArgs {
    /// The engine; loom counterexamples are native tokens.
    pub(crate) fn engine(&self) -> Result<Engine, CliError> {
        match self.engine.as_str() {
            "shuttle" => Ok(Engine::Shuttle),
            "loom" => Err(CliError::Usage(
                "loom counterexamples replay as native tokens; drop --engine loom".into(),
                "faultline help replay",
            )),
            _ => Ok(Engine::Native),
        }
    }
}
