//! Errors from picking a design, a scenario and knobs.

use faultline_protocol::ModelError;
use thiserror::Error;

/// Bad input to the catalog. Each message is one line and names the valid choices.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// Occurs when no design has this id.
    #[error("unknown design `{name}`; valid designs: {valid}")]
    UnknownDesign {
        /// What was asked for.
        name: String,
        /// The valid ids.
        valid: String,
    },
    /// Occurs when no scenario has this id.
    #[error("unknown scenario `{name}`; valid scenarios: {valid}")]
    UnknownScenario {
        /// What was asked for.
        name: String,
        /// The valid ids.
        valid: String,
    },
    /// Occurs when the design and scenario define no knob of this name.
    #[error("unknown knob `{knob}` for {context}; valid knobs: {valid}")]
    UnknownKnob {
        /// The knob name given.
        knob: String,
        /// Design and scenario.
        context: String,
        /// The knobs they define.
        valid: String,
    },
    /// Occurs when a knob is given a value it does not accept.
    #[error("invalid value `{value}` for knob `{knob}`; valid values: {valid}")]
    BadValue {
        /// The knob.
        knob: String,
        /// The value given.
        value: String,
        /// The accepted values.
        valid: String,
    },
    /// Occurs when a knob is set twice.
    #[error("knob `{knob}` is set twice")]
    RepeatedKnob {
        /// The knob.
        knob: String,
    },
    /// Occurs when the scenario's programs are malformed (a bug in the catalog).
    #[error("model error: {0}")]
    Model(#[from] ModelError),
}
