//! One build: the design chain, knob values resolved (design, scenario, global), then
//! the compiler.

use super::{BuildError, Built, Compiler, ExistsClause};
use crate::compile;
use crate::compile::CErr;
use crate::diag::{Diagnostic, FileError};
use crate::knob::{Knob, KnobKind};
use crate::reporting::Message;
use crate::source::At;

impl Compiler {
    /// The design chain, child first: each with the knob values its child fixes.
    pub(crate) fn design_chain(&self, at: At) -> Result<Vec<At>, Diagnostic> {
        let mut chain = vec![at];
        let mut cur = at;
        while let Some((p, _)) = &self.design_ast(cur).parent {
            let Some(pat) = self.find_design(&p.name) else {
                let ids = self.design_ids();
                return Err(Message::UnknownParent {
                    span: p.span,
                    name: p.name.clone(),
                    candidates: ids,
                }
                .into());
            };
            if chain.contains(&pat) {
                return Err(Message::ExtendsItself { span: p.span }.into());
            }
            chain.push(pat);
            cur = pat;
        }
        Ok(chain)
    }
    /// Builds `design` x `scenario` with `sets` (`NAME=VALUE` pairs, already split).
    pub fn build(
        &self,
        design: &str,
        scenario: &str,
        sets: &[(String, String)],
    ) -> Result<Built, BuildError> {
        self.build_inner(design, scenario, sets, None)
            .map_err(|e| match e {
                Inner::C(c) => BuildError::File(self.file_error(c)),
                Inner::B(b) => b,
            })
    }

    /// Builds `design` x the clause's scenario with its knob settings and compiles its
    /// predicate against that machine's threads, VMAs and folios (a bad name is a
    /// `file:line:col` error).
    pub fn build_exists(
        &self,
        clause: &ExistsClause,
        design: &str,
    ) -> Result<(Built, crate::query::Query), BuildError> {
        let built = self.build(design, &clause.scenario, &clause.with)?;
        let query = crate::query::Query::compile(&clause.pred, &built.machine).map_err(|d| {
            let text = self
                .files
                .iter()
                .find(|f| f.name == clause.file)
                .map_or("", |f| f.text.as_str());
            BuildError::File(FileError::new(&clause.file, text, vec![d]))
        })?;
        Ok((built, query))
    }

    /// The compiled listing of every thread, for reviewers.
    pub fn listing(
        &self,
        design: &str,
        scenario: &str,
        sets: &[(String, String)],
    ) -> Result<String, BuildError> {
        let b = self.build(design, scenario, sets)?;
        let mut head = String::new();
        if let Some(d) = self.designs().into_iter().find(|d| d.id == design) {
            head += &crate::listing::sources("design", &d.id, &d.source, &d.knobs, &b.knobs);
        }
        if let Some(sc) = self.scenarios().into_iter().find(|s| s.id == scenario) {
            head += &crate::listing::sources("scenario", &sc.id, &sc.source, &sc.knobs, &b.knobs);
        }
        Ok(head + &crate::listing::listing(&b.machine))
    }

    pub(crate) fn build_inner(
        &self,
        design: &str,
        scenario: &str,
        sets: &[(String, String)],
        _hint: Option<()>,
    ) -> Result<Built, Inner> {
        let Some(dat) = self.find_design(design) else {
            return Err(Inner::B(BuildError::UnknownDesign {
                name: design.to_string(),
                valid: self.design_ids().join(", "),
            }));
        };
        let Some(sat) = self.find_scenario(scenario) else {
            return Err(Inner::B(BuildError::UnknownScenario {
                name: scenario.to_string(),
                valid: self.scenario_ids().join(", "),
            }));
        };
        let chain = self
            .design_chain(dat)
            .map_err(|d| Inner::C(CErr::new(dat.0, d)))?;
        // Knob definitions: the design chain's (minus fixed), the scenario's, then global.
        let mut defs: Vec<(Knob, usize)> = Vec::new();
        let mut fixed: Vec<(String, String)> = Vec::new();
        for &c in &chain {
            let cd = self.design_ast(c);
            for k in &cd.knobs {
                let kn = Knob::from_decl(k).map_err(|d| Inner::C(CErr::new(c.0, d)))?;
                if !fixed.iter().any(|(n, _)| *n == kn.name) {
                    defs.push((kn, c.0));
                } else {
                    // A fixed knob must exist and take the value.
                    let v = fixed
                        .iter()
                        .find(|(n, _)| *n == kn.name)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    if !kn.accepts(&v) {
                        return Err(Inner::B(BuildError::BadValue {
                            knob: kn.name.clone(),
                            value: v,
                            valid: kn.values_text(),
                        }));
                    }
                }
            }
            if let Some((_, s)) = &cd.parent {
                fixed.extend(s.iter().map(|(k, v)| (k.name.clone(), v.name.clone())));
            }
        }
        let sc = self.scenario_ast(sat);
        for k in &sc.knobs {
            defs.push((
                Knob::from_decl(k).map_err(|d| Inner::C(CErr::new(sat.0, d)))?,
                sat.0,
            ));
        }
        for (fi, f) in self.files.iter().enumerate() {
            for k in &f.ast.knobs {
                defs.push((
                    Knob::from_decl(k).map_err(|d| Inner::C(CErr::new(fi, d)))?,
                    fi,
                ));
            }
        }
        for (i, (k, fi)) in defs.iter().enumerate() {
            if defs[..i].iter().any(|(o, _)| o.name == k.name) {
                let span = self.knob_span(&k.name).unwrap_or_default();
                return Err(Inner::C(CErr::new(
                    *fi,
                    Message::KnobDefinedTwice {
                        span,
                        name: k.name.clone(),
                        context: format!("{design} x {scenario}"),
                    },
                )));
            }
        }
        // Knobs pinned by `extends P(k = v)`: a design knob of the chain (checked
        // above) or a scenario or global knob, which the pin then sets; anything else
        // is a typo, refused where it is written.
        let mut pinned: Vec<Knob> = Vec::new();
        for &c in &chain {
            let Some((_, pins)) = &self.design_ast(c).parent else {
                continue;
            };
            for (i, (k, v)) in pins.iter().enumerate() {
                if pins[..i].iter().any(|(o, _)| o.name == k.name) {
                    return Err(Inner::C(CErr::new(
                        c.0,
                        Message::KnobPinnedTwice {
                            span: k.span,
                            name: k.name.clone(),
                        },
                    )));
                }
                let in_chain = chain.iter().any(|&p| {
                    self.design_ast(p)
                        .knobs
                        .iter()
                        .any(|d| d.name.name == k.name)
                });
                if in_chain {
                    continue;
                }
                let Some(pos) = defs.iter().position(|(d, _)| d.name == k.name) else {
                    let mut names: Vec<String> = chain
                        .iter()
                        .flat_map(|&p| &self.design_ast(p).knobs)
                        .map(|d| d.name.name.clone())
                        .chain(defs.iter().map(|(d, _)| d.name.clone()))
                        .collect();
                    names.sort_unstable();
                    let d = Message::UnknownPinnedKnob {
                        span: k.span,
                        name: k.name.clone(),
                        context: format!("{design} x {scenario}"),
                        candidates: names,
                    };
                    return Err(Inner::C(CErr::new(c.0, d)));
                };
                let (def, _) = defs.remove(pos);
                if !def.accepts(&v.name) {
                    return Err(Inner::B(BuildError::BadValue {
                        knob: def.name.clone(),
                        value: v.name.clone(),
                        valid: def.values_text(),
                    }));
                }
                pinned.push(def);
            }
        }
        let context = format!("{design} x {scenario}");
        for (i, (name, value)) in sets.iter().enumerate() {
            let Some((def, _)) = defs.iter().find(|(d, _)| d.name == *name) else {
                let mut names: Vec<_> = defs.iter().map(|(d, _)| d.name.as_str()).collect();
                names.sort_unstable();
                return Err(Inner::B(BuildError::UnknownKnob {
                    knob: name.clone(),
                    context,
                    valid: names.join(", "),
                }));
            };
            if !def.accepts(value) {
                return Err(Inner::B(BuildError::BadValue {
                    knob: name.clone(),
                    value: value.clone(),
                    valid: def.values_text(),
                }));
            }
            if sets[..i].iter().any(|(n, _)| n == name) {
                return Err(Inner::B(BuildError::RepeatedKnob { knob: name.clone() }));
            }
        }
        let mut values: Vec<(String, String)> = defs
            .iter()
            .map(|(d, _)| {
                let v = sets
                    .iter()
                    .find(|(n, _)| *n == d.name)
                    .map_or_else(|| d.default.clone(), |(_, v)| v.clone());
                (d.name.clone(), v)
            })
            .collect();
        let shown = values.clone();
        values.extend(fixed);
        let knobs: Vec<(Knob, String)> = defs
            .iter()
            .map(|(d, _)| d.clone())
            .chain(self.fixed_defs(&chain, &pinned))
            .zip(values.iter().map(|(_, v)| v.clone()))
            .collect();
        let machine = compile::build(&self.files, &chain, sat, &knobs).map_err(Inner::C)?;
        Ok(Built {
            machine,
            knobs: shown,
            properties: sc.properties.iter().map(|p| p.name.clone()).collect(),
        })
    }

    /// Definitions of the knobs a design chain fixes, in the order they are fixed.
    pub(super) fn fixed_defs(&self, chain: &[At], pinned: &[Knob]) -> Vec<Knob> {
        let mut out = Vec::new();
        for &c in chain {
            if let Some((_, sets)) = &self.design_ast(c).parent {
                for (k, _) in sets {
                    let def = chain
                        .iter()
                        .flat_map(|&p| &self.design_ast(p).knobs)
                        .find(|d| d.name.name == k.name)
                        .and_then(|d| Knob::from_decl(d).ok())
                        .or_else(|| pinned.iter().find(|d| d.name == k.name).cloned())
                        .unwrap_or_else(|| Knob {
                            name: k.name.clone(),
                            values: KnobKind::Choice(Vec::new()),
                            default: String::new(),
                            help: String::new(),
                            sources: Vec::new(),
                        });
                    out.push(def);
                }
            }
        }
        out
    }

    pub(super) fn knob_span(&self, name: &str) -> Option<crate::diag::Span> {
        self.files
            .iter()
            .flat_map(|f| {
                f.ast
                    .knobs
                    .iter()
                    .chain(f.ast.designs.iter().flat_map(|d| &d.knobs))
                    .chain(f.ast.scenarios.iter().flat_map(|s| &s.knobs))
            })
            .find(|k| k.name.name == name)
            .map(|k| k.name.span)
    }
}

/// A build failure before it is tied to a file's text.
#[derive(Debug)]
pub(crate) enum Inner {
    C(CErr),
    B(BuildError),
}
