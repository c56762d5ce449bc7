//! Typed results of a check.

use std::sync::Arc;

use faultline_checker::{Property, Stats, Verdict};
use faultline_protocol::Machine;

use crate::evidence::Evidence;

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
    Violated(Box<Counterexample>),
    /// Exploration stopped at a budget; nothing is claimed.
    Inconclusive(String),
}

/// A counterexample: a thin view of its [`Evidence`] (built once from the checker's
/// [`faultline_checker::Counterexample`]) with the renderings tests usually assert on,
/// computed on demand so no fact is stored twice.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Counterexample {
    /// Everything known about the violation.
    pub evidence: Evidence,
    machine: Arc<Machine>,
    title: String,
}

impl Counterexample {
    /// Number of steps.
    pub fn steps(&self) -> usize {
        self.evidence.trace.len()
    }

    /// The replay token with its model hash (`t0,t1,...@1a2b3c4d`;
    /// [`crate::Faultline::check_token`] validates one).
    pub fn replay(&self) -> String {
        self.evidence.token.to_string()
    }

    /// [`Evidence::text`] in 80 columns: the step table, the waits and, for a deadlock,
    /// kill -9 and hung_task.
    pub fn text(&self) -> String {
        self.evidence.text(&self.machine, 80)
    }

    /// The wait-for graph (along the cycle for a lasso), as Graphviz DOT.
    pub fn dot(&self) -> String {
        faultline_traces::wait_for_dot(&self.evidence.wait_for, &self.title)
    }
}

impl Checked {
    pub(crate) fn new(
        design: &str,
        scenario: &str,
        knobs: Vec<(String, String)>,
        m: Arc<Machine>,
        report: faultline_checker::Report,
    ) -> Checked {
        let pairs: Vec<(&str, &str)> = knobs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let outcomes = report
            .results
            .into_iter()
            .map(|r| Outcome {
                property: r.property,
                status: match r.verdict {
                    Verdict::Holds => Status::Holds,
                    Verdict::Violated(cx) => {
                        let evidence = Evidence::new(
                            &m,
                            pairs.iter().copied(),
                            report.engine,
                            r.property,
                            &cx,
                        );
                        Status::Violated(Box::new(Counterexample {
                            evidence,
                            machine: Arc::clone(&m),
                            title: format!("{design} x {scenario}"),
                        }))
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
            Some(Status::Violated(cx)) => Some(cx.as_ref()),
            _ => None,
        }
    }
}
