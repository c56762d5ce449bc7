//! `expect` and `exists` clauses: listed for the runner, and checked against the
//! designs, scenarios and properties loaded so far (clauses may name later files).

use super::{Compiler, ExistsClause, ExpectClause, resolve::Inner};
use crate::ast;
use crate::compile::CErr;
use crate::diag::{Diagnostic, FileError, Span};
use crate::reporting::Message;
use crate::source::At;

impl Compiler {
    /// Every `expect` clause of the files named (all files if `files` is empty).
    pub fn expects(&self, files: &[&str]) -> Vec<ExpectClause> {
        let all = self.design_ids();
        let mut out = Vec::new();
        for f in self
            .files
            .iter()
            .filter(|f| files.is_empty() || files.contains(&f.name.as_str()))
        {
            let err = FileError::new(&f.name, &f.text, Vec::new());
            let scenarios = self.scenario_ids();
            for d in &f.ast.designs {
                for e in &d.expects {
                    let targets: Vec<String> = if e.designs.iter().any(|s| s.name == "*") {
                        scenarios.clone()
                    } else {
                        e.designs.iter().map(|s| s.name.clone()).collect()
                    };
                    for s in targets {
                        out.push(ExpectClause {
                            file: f.name.clone(),
                            line: err.line_col(e.span.lo).0,
                            text: clause_text(&f.text, e.span),
                            scenario: s,
                            designs: vec![d.name.name.clone()],
                            with: knob_pairs(&e.with),
                            props: e.props.iter().map(|(p, v)| (p.name.clone(), *v)).collect(),
                        });
                    }
                }
            }
            for s in &f.ast.scenarios {
                for e in &s.expects {
                    let designs = if e.designs.iter().any(|d| d.name == "*") {
                        all.clone()
                    } else {
                        e.designs.iter().map(|d| d.name.clone()).collect()
                    };
                    out.push(ExpectClause {
                        file: f.name.clone(),
                        line: err.line_col(e.span.lo).0,
                        text: clause_text(&f.text, e.span),
                        scenario: s.name.name.clone(),
                        designs,
                        with: knob_pairs(&e.with),
                        props: e.props.iter().map(|(p, v)| (p.name.clone(), *v)).collect(),
                    });
                }
            }
        }
        out
    }

    /// Every `exists` query of the files named (all files if `files` is empty).
    pub fn exists(&self, files: &[&str]) -> Vec<ExistsClause> {
        let mut out = Vec::new();
        for f in self
            .files
            .iter()
            .filter(|f| files.is_empty() || files.contains(&f.name.as_str()))
        {
            let err = FileError::new(&f.name, &f.text, Vec::new());
            for s in &f.ast.scenarios {
                for e in &s.exists {
                    let designs = if e.designs.iter().any(|d| d.name == "*") {
                        self.design_ids()
                    } else {
                        e.designs.iter().map(|d| d.name.clone()).collect()
                    };
                    out.push(ExistsClause {
                        file: f.name.clone(),
                        line: err.line_col(e.span.lo).0,
                        text: clause_text(&f.text, e.span),
                        scenario: s.name.name.clone(),
                        designs,
                        with: knob_pairs(&e.with),
                        pred: e.pred.clone(),
                    });
                }
            }
        }
        out
    }
    /// An `expect` or `exists` clause naming a design (or a design's clause naming a
    /// scenario) that no loaded file defines, as a `file:line:col` error; call it once
    /// every file is loaded.
    pub fn unresolved(&self) -> Result<(), FileError> {
        // A design's clauses name scenarios; one pass over the designs, once.
        let sids = self.scenario_ids();
        for (fi, f) in self.files.iter().enumerate() {
            for s in f
                .ast
                .designs
                .iter()
                .flat_map(|d| &d.expects)
                .flat_map(|e| &e.designs)
            {
                if s.name != "*" && !self.scenarios.contains_key(&s.name) {
                    let d = Message::UnknownScenario {
                        span: s.span,
                        name: s.name.clone(),
                        candidates: sids.clone(),
                    };
                    return Err(self.file_error(CErr::new(fi, d)));
                }
            }
        }
        for &(fi, si) in &self.pending {
            let s = &self.files[fi].ast.scenarios[si];
            for designs in s
                .expects
                .iter()
                .map(|e| &e.designs)
                .chain(s.exists.iter().map(|e| &e.designs))
            {
                self.check_clause_designs(designs)
                    .map_err(|d| self.file_error(CErr::new(fi, d)))?;
            }
        }
        Ok(())
    }

    /// Checks the clauses of scenario `at` against the designs loaded so far: their
    /// properties, that their knobs build and their predicates compile for each.
    /// False when a clause names a design not loaded (yet).
    pub(super) fn check_clauses(&self, (fi, si): At) -> Result<bool, CErr> {
        let err = |d: Diagnostic| CErr::new(fi, d);
        let s = &self.files[fi].ast.scenarios[si];
        let ids = self.design_ids();
        let known = |designs: &[ast::Ident]| {
            designs
                .iter()
                .all(|d| d.name == "*" || self.designs.contains_key(&d.name))
        };
        let targets = |designs: &[ast::Ident]| -> Vec<String> {
            ids.iter()
                .filter(|d| designs.iter().any(|x| x.name == "*" || &x.name == *d))
                .cloned()
                .collect()
        };
        let mut resolved = true;
        for e in &s.expects {
            for (p, _) in &e.props {
                self.check_property(p).map_err(err)?;
            }
            resolved &= known(&e.designs);
            // The clause's knobs must build for each of its designs.
            let sets = knob_pairs(&e.with);
            for d in targets(&e.designs) {
                if let Err(Inner::B(b)) = self.build_inner(&d, &s.name.name, &sets, None) {
                    return Err(err(Message::BuildFails {
                        span: e.span,
                        error: b.to_string(),
                        of: "clause",
                    }
                    .into()));
                }
            }
        }
        for e in &s.exists {
            resolved &= known(&e.designs);
            // The predicate names threads, VMAs and folios of each build.
            let sets = knob_pairs(&e.with);
            for d in targets(&e.designs) {
                match self.build_inner(&d, &s.name.name, &sets, None) {
                    Ok(b) => {
                        crate::query::Query::compile(&e.pred, &b.machine).map_err(err)?;
                    }
                    Err(Inner::B(b)) => {
                        return Err(err(Message::BuildFails {
                            span: e.span,
                            error: b.to_string(),
                            of: "clause",
                        }
                        .into()));
                    }
                    Err(Inner::C(c)) => return Err(c),
                }
            }
        }
        Ok(resolved)
    }
    pub(super) fn check_clause_designs(&self, designs: &[ast::Ident]) -> Result<(), Diagnostic> {
        let ids = self.design_ids();
        for d in designs {
            if d.name != "*" && !ids.contains(&d.name) {
                return Err(Message::UnknownDesign {
                    span: d.span,
                    name: d.name.clone(),
                    candidates: ids.clone(),
                }
                .into());
            }
        }
        Ok(())
    }
}

/// A clause as written in its file.
pub(super) fn clause_text(text: &str, span: Span) -> String {
    text.get(span.lo as usize..span.hi as usize)
        .unwrap_or("")
        .to_string()
}

/// A clause's `with KNOB = VALUE, ...` settings.
pub(super) fn knob_pairs(with: &[(ast::Ident, ast::Ident)]) -> Vec<(String, String)> {
    with.iter()
        .map(|(k, v)| (k.name.clone(), v.name.clone()))
        .collect()
}
