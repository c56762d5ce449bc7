//! A catalog of loaded files: the prelude's functions and global knobs, designs and
//! scenarios by id, and [`Compiler::build`] of one design x scenario x knob values.

use std::collections::HashSet;

use faultline_protocol::Machine;

use crate::ast;
use crate::compile::CErr;
use crate::source::{At, Source};

mod clauses;
mod load;
mod resolve;

use crate::diag::{Diagnostic, FileError, did_you_mean};
use crate::knob::Knob;

/// Loaded `.fl` files and their compiler: ids, clauses, `build`. The catalog a user
/// sees (`faultline_models::Catalog`, re-exported by `faultline`) wraps one.
#[derive(Clone, Debug, Default)]
pub struct Compiler {
    pub(crate) files: Vec<Source>,
    /// Design and scenario ids to where they are (the first definition): a lookup
    /// per build was a scan, which made loading many designs quadratic.
    designs: std::collections::HashMap<String, At>,
    scenarios: std::collections::HashMap<String, At>,
    /// Scenarios whose clauses name designs not loaded yet: rechecked as files load,
    /// refused by [`Compiler::unresolved`] if still unknown, so load order does not
    /// matter. A list, not a scan of every file, to keep loading linear.
    pending: Vec<At>,
    /// Every (kind, id) of the loaded files, so a new file's ids are checked against a
    /// set, not by rehashing every file per load (quadratic in files).
    ids: HashSet<(&'static str, String)>,
}

/// An `expect` clause, its designs expanded (`*` is every design).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExpectClause {
    /// The file it is in.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The clause as written.
    pub text: String,
    /// The scenario it belongs to.
    pub scenario: String,
    /// The designs it is about.
    pub designs: Vec<String>,
    /// Knob settings.
    pub with: Vec<(String, String)>,
    /// Properties: `true` = expected violated, `false` = expected to hold.
    pub props: Vec<(String, bool)>,
}

/// An `exists` query.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExistsClause {
    /// The file it is in.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The clause as written.
    pub text: String,
    /// The scenario it belongs to.
    pub scenario: String,
    /// The designs it is about (`*` expanded).
    pub designs: Vec<String>,
    /// Knob settings.
    pub with: Vec<(String, String)>,
    /// The predicate, compiled per build by [`Compiler::build_exists`].
    pred: crate::ast::Expr,
}

/// A design's description.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DesignInfo {
    /// Its id.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// What it changes.
    pub summary: String,
    /// Where it comes from (`source` clauses; a design's own, never its parent's).
    pub source: Vec<String>,
    /// Its knobs (inherited ones included, fixed ones excluded).
    pub knobs: Vec<Knob>,
    /// The file it comes from.
    pub file: String,
}

/// A scenario's description.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScenarioInfo {
    /// Its id.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Threads and what can go wrong.
    pub summary: String,
    /// Where it comes from (`source` clauses).
    pub source: Vec<String>,
    /// Its knobs.
    pub knobs: Vec<Knob>,
    /// The properties it checks.
    pub properties: Vec<String>,
    /// The file it comes from.
    pub file: String,
}

/// A built model.
#[derive(Debug)]
#[non_exhaustive]
pub struct Built {
    /// The machine to explore.
    pub machine: Machine,
    /// Every knob that applies, in order (design, scenario, global), set or defaulted.
    pub knobs: Vec<(String, String)>,
    /// The properties the scenario checks.
    pub properties: Vec<String>,
}

/// Why a build failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The file does not compile for these knob values.
    #[error(transparent)]
    File(#[from] FileError),
    /// No such design.
    #[error("unknown design `{name}`; valid designs: {valid}")]
    UnknownDesign {
        /// As given.
        name: String,
        /// The ids there are.
        valid: String,
    },
    /// No such scenario.
    #[error("unknown scenario `{name}`; valid scenarios: {valid}")]
    UnknownScenario {
        /// As given.
        name: String,
        /// The ids there are.
        valid: String,
    },
    /// No such knob here.
    #[error("unknown knob `{knob}` for {context}; valid knobs: {valid}")]
    UnknownKnob {
        /// As given.
        knob: String,
        /// `design x scenario`.
        context: String,
        /// The knobs there are.
        valid: String,
    },
    /// A value the knob does not take.
    #[error("invalid value `{value}` for knob `{knob}`; valid values: {valid}")]
    BadValue {
        /// The knob.
        knob: String,
        /// As given.
        value: String,
        /// What it takes.
        valid: String,
    },
    /// A knob set twice.
    #[error("knob `{knob}` is set twice")]
    RepeatedKnob {
        /// The knob.
        knob: String,
    },
}

impl Compiler {
    /// An empty catalog.
    pub fn new() -> Compiler {
        Compiler::default()
    }

    /// Whether a file of this name is loaded.
    pub fn has_file(&self, name: &str) -> bool {
        self.files.iter().any(|f| f.name == name)
    }
    /// Design ids in load order.
    pub fn design_ids(&self) -> Vec<String> {
        self.files
            .iter()
            .flat_map(|f| f.ast.designs.iter().map(|d| d.name.name.clone()))
            .collect()
    }

    /// Scenario ids in load order.
    pub fn scenario_ids(&self) -> Vec<String> {
        self.files
            .iter()
            .flat_map(|f| f.ast.scenarios.iter().map(|d| d.name.name.clone()))
            .collect()
    }

    pub(crate) fn find_design(&self, id: &str) -> Option<At> {
        self.designs.get(id).copied()
    }

    pub(crate) fn find_scenario(&self, id: &str) -> Option<At> {
        self.scenarios.get(id).copied()
    }

    pub(crate) fn design_ast(&self, at: At) -> &ast::Design {
        &self.files[at.0].ast.designs[at.1]
    }

    pub(crate) fn scenario_ast(&self, at: At) -> &ast::Scenario {
        &self.files[at.0].ast.scenarios[at.1]
    }

    fn design_info_at(&self, at: At) -> Result<DesignInfo, Diagnostic> {
        let d = self.design_ast(at);
        let chain = self.design_chain(at)?;
        let mut fixed: Vec<&str> = Vec::new();
        let mut knobs = Vec::new();
        for &c in &chain {
            let cd = self.design_ast(c);
            for k in &cd.knobs {
                if !fixed.contains(&k.name.name.as_str()) {
                    knobs.push(Knob::from_decl(k)?);
                }
            }
            if let Some((_, sets)) = &cd.parent {
                fixed.extend(sets.iter().map(|(k, _)| k.name.as_str()));
            }
        }
        Ok(DesignInfo {
            id: d.name.name.clone(),
            title: d.title.clone(),
            summary: d.summary.clone(),
            source: d.source.clone(),
            knobs,
            file: self.files[at.0].name.clone(),
        })
    }

    /// Every design.
    pub fn designs(&self) -> Vec<DesignInfo> {
        self.design_ids()
            .iter()
            .filter_map(|id| self.find_design(id))
            .filter_map(|at| self.design_info_at(at).ok())
            .collect()
    }

    /// Every scenario.
    pub fn scenarios(&self) -> Vec<ScenarioInfo> {
        self.files
            .iter()
            .flat_map(|f| {
                f.ast.scenarios.iter().map(move |s| ScenarioInfo {
                    id: s.name.name.clone(),
                    title: s.title.clone(),
                    summary: s.summary.clone(),
                    source: s.source.clone(),
                    knobs: s
                        .knobs
                        .iter()
                        .filter_map(|k| Knob::from_decl(k).ok())
                        .collect(),
                    properties: s.properties.iter().map(|p| p.name.clone()).collect(),
                    file: f.name.clone(),
                })
            })
            .collect()
    }

    /// Knobs every design and scenario has.
    pub fn global_knobs(&self) -> Vec<Knob> {
        self.files
            .iter()
            .flat_map(|f| f.ast.knobs.iter().filter_map(|k| Knob::from_decl(k).ok()))
            .collect()
    }
    /// A compile error tied to its file's text; the places it relates to in other
    /// files come with theirs.
    pub(crate) fn file_error(&self, e: CErr) -> FileError {
        let own = e.file.min(self.files.len().saturating_sub(1));
        let f = &self.files[own];
        let mut diag = *e.diag;
        let mut others: Vec<usize> = Vec::new();
        for r in &mut diag.related {
            r.file = match r.file {
                Some(fi) if fi != own && fi < self.files.len() => {
                    let at = others.iter().position(|&o| o == fi).unwrap_or_else(|| {
                        others.push(fi);
                        others.len() - 1
                    });
                    Some(at)
                }
                _ => None,
            };
        }
        let mut err = FileError::new(&f.name, &f.text, vec![diag]);
        err.others = others
            .into_iter()
            .map(|fi| (self.files[fi].name.clone(), self.files[fi].text.clone()))
            .collect();
        err
    }
    /// The closest design id to `name`.
    pub fn suggest_design(&self, name: &str) -> Option<String> {
        let ids = self.design_ids();
        did_you_mean(name, ids.iter().map(String::as_str)).map(str::to_string)
    }
}
