//! `exists` clauses: is a state satisfying the predicate reachable? Answered with the
//! shortest witness trace by the checker's unreduced breadth-first [`reach`].

use faultline_checker::{Reached, reach};
use faultline_lang::{BuildError, ExistsClause};

use crate::clauses::{ClauseResult, ClauseStatus};
use crate::error::Error;
use crate::session::Faultline;

/// Why the search is unreduced, shown with every answer.
const UNREDUCED: &str =
    "reduce=none: partial-order reduction does not keep the reachability of a state predicate";

impl Faultline {
    /// Answers one `exists` clause for each of its designs.
    pub(crate) fn exists_clause(&self, e: &ExistsClause) -> Result<Vec<ClauseResult>, Error> {
        let mut out = Vec::new();
        for d in &e.designs {
            // A bad name in the predicate is a file error (rendered with its line).
            let (built, query) = self.compiler().build_exists(e, d).map_err(|b| match b {
                BuildError::File(f) => Error::File(f),
                other => Error::Build(other),
            })?;
            let m = &built.machine;
            let pred = |w: &faultline_protocol::World| query.eval(m, w);
            let (reached, stats) = reach(m, &pred, self.budget())?;
            let counts = format!(
                "{} states, {} transitions, depth {}",
                stats.states, stats.transitions, stats.depth
            );
            let status = match reached {
                Reached::Witness(trace) => ClauseStatus::Reachable(format!(
                    "witness: {} steps, shortest (breadth-first, {UNREDUCED}); {counts}; replay {}\n{}",
                    trace.len(),
                    trace.token(),
                    faultline_traces::trace_text(m, &trace, 80)
                )),
                Reached::Unreachable => ClauseStatus::Mismatch(format!(
                    "unreachable: no state satisfies it; the whole space was explored ({counts}, {UNREDUCED})"
                )),
                Reached::Unknown(limit) => ClauseStatus::Undecided(format!(
                    "no witness before the budget: {limit} ({counts})"
                )),
                _ => ClauseStatus::Undecided("unknown search result".into()),
            };
            out.push(ClauseResult {
                at: format!("{}:{}", e.file, e.line),
                design: d.clone(),
                scenario: e.scenario.clone(),
                text: e.text.clone(),
                status,
            });
        }
        Ok(out)
    }
}
