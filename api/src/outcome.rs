//! Typed results of a check.

use faultline_checker::{Property, Stats, Verdict};
use faultline_protocol::Machine;

/// One design x scenario x knob values, checked.
#[derive(Debug)]
#[non_exhaustive]
pub struct Checked {
    /// The design.
    pub design: String,
    /// The scenario.
    pub scenario: String,
    /// Every knob that applies, set or defaulted.
    pub knobs: Vec<(String, String)>,
    /// One outcome per property checked, in the order asked.
    pub outcomes: Vec<Outcome>,
    /// What was explored.
    pub stats: Stats,
}

/// One property's result.
#[derive(Debug)]
#[non_exhaustive]
pub struct Outcome {
    /// The property.
    pub property: Property,
    /// Its status.
    pub status: Status,
}

/// Holds, violated (with a counterexample), or undecided.
#[derive(Debug)]
#[non_exhaustive]
pub enum Status {
    /// The whole reachable state space was explored and no state violates it.
    Holds,
    /// Violated; the shortest way there.
    Violated(Counterexample),
    /// Exploration stopped at a budget; nothing is claimed.
    Inconclusive(String),
}

/// A counterexample, rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counterexample {
    /// Number of steps.
    pub steps: usize,
    /// The replay token (`t0,t1,...`).
    pub replay: String,
    /// The step table and the wait-for graph as text.
    pub text: String,
    /// The wait-for graph at the final state, as Graphviz DOT.
    pub dot: String,
}

impl Checked {
    pub(crate) fn new(
        design: &str,
        scenario: &str,
        knobs: Vec<(String, String)>,
        m: &Machine,
        report: faultline_checker::Report,
    ) -> Checked {
        let outcomes = report
            .results
            .into_iter()
            .map(|r| Outcome {
                property: r.property,
                status: match r.verdict {
                    Verdict::Holds => Status::Holds,
                    Verdict::Violated(cx) => {
                        let mut text = faultline_traces::trace_text(m, &cx.trace, 80);
                        text.push('\n');
                        text.push_str(&faultline_traces::wait_for_text(&cx.wait_for));
                        Status::Violated(Counterexample {
                            steps: cx.trace.len(),
                            replay: cx.trace.token(),
                            text,
                            dot: faultline_traces::wait_for_dot(
                                &cx.wait_for,
                                &format!("{design} x {scenario}"),
                            ),
                        })
                    }
                    Verdict::Inconclusive(limit) => Status::Inconclusive(limit.to_string()),
                },
            })
            .collect();
        Checked {
            design: design.to_string(),
            scenario: scenario.to_string(),
            knobs,
            outcomes,
            stats: report.stats,
        }
    }

    /// The outcome for `p`, if it was checked.
    pub fn outcome(&self, p: Property) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.property == p)
    }

    /// Whether `p` was checked and holds.
    pub fn holds(&self, p: Property) -> bool {
        matches!(self.outcome(p).map(|o| &o.status), Some(Status::Holds))
    }

    /// The counterexample if `p` was checked and is violated.
    pub fn violated(&self, p: Property) -> Option<&Counterexample> {
        match self.outcome(p).map(|o| &o.status) {
            Some(Status::Violated(cx)) => Some(cx),
            _ => None,
        }
    }
}
