//! `expect` clauses as tests, the way herd7's judgelitmus compares `Result:` lines;
//! `exists` clauses are answered in `exists`.

use faultline_checker::Property;

use crate::error::Error;
use crate::outcome::Status;
use crate::session::Faultline;

/// How a clause came out for one design.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClauseStatus {
    /// Every property came out as expected.
    Ok,
    /// Some did not; the explanation (with the counterexample's trace, if any).
    Mismatch(String),
    /// A property was not decided within the budget.
    Undecided(String),
    /// An `exists` clause holds: a reachable state satisfies it; the shortest witness
    /// trace.
    Reachable(String),
}

/// One clause, for one design.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClauseResult {
    /// `file:line`.
    pub at: String,
    /// The design.
    pub design: String,
    /// The scenario it ran.
    pub scenario: String,
    /// The clause as written.
    pub text: String,
    /// The result.
    pub status: ClauseStatus,
}

impl Faultline {
    /// Runs every `expect` (and `exists`) clause of the files named (every file if
    /// empty), one result per clause and design.
    pub fn test(&self, files: &[&str]) -> Result<Vec<ClauseResult>, Error> {
        if let Some(f) = files.iter().find(|f| !self.compiler().has_file(f)) {
            return Err(Error::UnknownFile((*f).to_string()));
        }
        // Clauses may name designs of files loaded after theirs; by now all are loaded.
        self.compiler().unresolved()?;
        let mut out = Vec::new();
        for c in self.compiler().expects(files) {
            for d in &c.designs {
                let knobs: Vec<(&str, &str)> = c
                    .with
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let mut extra = Vec::new();
                for (p, _) in &c.props {
                    extra
                        .push(Property::parse(p).ok_or_else(|| Error::UnknownProperty(p.clone()))?);
                }
                let checked = self
                    .check_props(d, &c.scenario, &knobs, &extra)
                    .map_err(|e| Error::In {
                        design: d.clone(),
                        scenario: c.scenario.clone(),
                        source: Box::new(e),
                    })?;
                let mut status = ClauseStatus::Ok;
                for ((_, want_violated), p) in c.props.iter().zip(&extra) {
                    let Some(o) = checked.outcome(*p) else {
                        continue;
                    };
                    match (&o.status, want_violated) {
                        (Status::Holds, false) | (Status::Violated(_), true) => {}
                        (Status::Holds, true) => {
                            status = ClauseStatus::Mismatch(format!(
                                "{} holds (expected violated)",
                                p.id()
                            ));
                            break;
                        }
                        (Status::Violated(cx), false) => {
                            status = ClauseStatus::Mismatch(format!(
                                "{} violated (expected to hold); replay {}\n{}",
                                p.id(),
                                cx.replay(),
                                cx.text()
                            ));
                            break;
                        }
                        (Status::Inconclusive(why), _) => {
                            status = ClauseStatus::Undecided(format!("{}: {why}", p.id()));
                        }
                    }
                }
                out.push(ClauseResult {
                    at: format!("{}:{}", c.file, c.line),
                    design: d.clone(),
                    scenario: c.scenario.clone(),
                    text: c.text.clone(),
                    status,
                });
            }
        }
        for e in self.compiler().exists(files) {
            out.extend(self.exists_clause(&e)?);
        }
        Ok(out)
    }
}
