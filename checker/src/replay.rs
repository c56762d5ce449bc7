//! Replay: re-run a counterexample's steps and say which properties its final state
//! violates.

use faultline_protocol::{Machine, ModelError, Step};
use faultline_traces::Trace;

use crate::property::Property;

/// A replayed trace and the properties violated at its last state.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The replayed trace.
    pub trace: Trace,
    /// Properties of `props` violated at the final state.
    pub violated: Vec<Property>,
}

/// Replays `steps` on `m` and evaluates `props` at the final state with the same
/// evaluator the engines use.
pub fn replay(m: &Machine, steps: &[Step], props: &[Property]) -> Result<Replayed, ModelError> {
    let trace = Trace::replay(m, steps)?;
    let mut enabled = Vec::new();
    m.enabled(trace.last(), &mut enabled);
    let violated = props
        .iter()
        .copied()
        .filter(|p| p.violated_at(m, trace.last(), &enabled))
        .collect();
    Ok(Replayed { trace, violated })
}
