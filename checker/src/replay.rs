//! Replay: re-run a counterexample's steps and say which properties it violates: the
//! state properties at its final state, and the liveness properties when the steps end
//! in a weakly fair cycle (the final state repeats an earlier one).

use faultline_protocol::{Machine, ModelError, Step};
use faultline_traces::Trace;

use crate::liveness::{actor, non_daemon};
use crate::property::Property;

/// A replayed trace and the properties it violates.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The replayed trace.
    pub trace: Trace,
    /// Properties of `props` violated.
    pub violated: Vec<Property>,
    /// The step index where the trace's final cycle starts, if its final state
    /// repeats the state before that step.
    pub cycle_from: Option<usize>,
}

/// Replays `steps` on `m` and evaluates `props` with the same evaluator the engines
/// use.
pub fn replay(m: &Machine, steps: &[Step], props: &[Property]) -> Result<Replayed, ModelError> {
    let trace = Trace::replay(m, steps)?;
    let mut enabled = Vec::new();
    m.enabled(trace.last(), &mut enabled);
    let cycle_from = (0..trace.len()).find(|&i| trace.before(i) == trace.last());
    let fair = cycle_from.and_then(|i| fair_cycle(m, &trace, i));
    let violated = props
        .iter()
        .copied()
        .filter(|p| match (p, fair) {
            (Property::Livelock, Some((taken, _))) => taken & non_daemon(m) != 0,
            (Property::Starvation, Some((_, unfinished))) => unfinished,
            _ => p.violated_at(m, trace.last(), &enabled),
        })
        .collect();
    Ok(Replayed {
        trace,
        violated,
        cycle_from,
    })
}

/// Whether steps `from..` of `trace` (which return to the state before `from`) form a
/// weakly fair cycle: every fair actor enabled throughout acts in it. Returns the
/// actors that act and whether a non-daemon thread is unfinished.
fn fair_cycle(m: &Machine, trace: &Trace, from: usize) -> Option<(u32, bool)> {
    let mut always = u32::MAX;
    let mut taken = 0u32;
    let mut enabled = Vec::new();
    for (i, step) in trace.steps().enumerate().skip(from) {
        m.enabled(trace.before(i), &mut enabled);
        always &= enabled.iter().fold(0, |acc, &s| acc | actor(s));
        taken |= actor(step);
    }
    let last = trace.last();
    let unfinished = m.tids().any(|t| {
        non_daemon(m) & 1 << t.0 != 0 && m.status(last, t) != faultline_protocol::Status::Exited
    });
    (always & !taken == 0).then_some((taken, unfinished))
}
