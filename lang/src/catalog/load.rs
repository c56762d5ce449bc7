//! Loading a file: parse, ids unique across files, knob and label checks, and every
//! design x scenario pair it adds compiled with default knobs.

use super::{Compiler, resolve::Inner};
use faultline_protocol::PROPERTY_IDS;

use crate::compile::CErr;
use crate::diag::{Diagnostic, FileError, Span};
use crate::knob::Knob;
use crate::reporting::Message;
use crate::source::{At, Source};
use crate::{ast, compile};
use std::collections::HashSet;

impl Compiler {
    /// Parses and adds a file, then compiles every design x scenario pair it adds with
    /// default knobs, so a bad file fails here with `file:line:col`.
    pub fn load(&mut self, name: &str, text: &str) -> Result<(), FileError> {
        let ast = crate::parser::parse(text).map_err(|d| FileError::new(name, text, vec![d]))?;
        let fi = self.files.len();
        for (di, d) in ast.designs.iter().enumerate() {
            self.designs.entry(d.name.name.clone()).or_insert((fi, di));
        }
        for (si, s) in ast.scenarios.iter().enumerate() {
            self.scenarios
                .entry(s.name.name.clone())
                .or_insert((fi, si));
        }
        self.files.push(Source {
            name: name.to_string(),
            text: text.to_string(),
            ast,
        });
        let r = self.check_new(fi).and_then(|()| {
            // Clauses waiting for designs: this file may define some of them.
            let mut still = Vec::new();
            for &at in self.pending.iter().chain(&self.new_pending(fi)) {
                if !self.check_clauses(at)? {
                    still.push(at);
                }
            }
            Ok(still)
        });
        match r {
            Ok(still) => {
                self.pending = still;
                let ids: Vec<_> = Self::ids_of(&self.files[fi].ast)
                    .map(|(kind, n)| (kind, n.name.clone()))
                    .collect();
                self.ids.extend(ids);
                Ok(())
            }
            Err(e) => {
                let e = self.file_error(e);
                self.files.pop();
                self.designs.retain(|_, at| at.0 != fi);
                self.scenarios.retain(|_, at| at.0 != fi);
                Err(e)
            }
        }
    }

    /// The ids a file defines, by kind, in the order the duplicate check reports them.
    pub(super) fn ids_of(f: &ast::File) -> impl Iterator<Item = (&'static str, &ast::Ident)> {
        let d = f.designs.iter().map(|d| ("design", &d.name));
        let s = f.scenarios.iter().map(|s| ("scenario", &s.name));
        let n = f.funcs.iter().map(|x| ("fn", &x.name));
        let k = f.knobs.iter().map(|x| ("knob", &x.name));
        d.chain(s).chain(n).chain(k)
    }

    /// Where the id `name` of `kind` is first defined, in any loaded file (only when
    /// reporting it defined twice: a scan).
    fn first_definition(&self, kind: &str, again: &ast::Ident, at: usize) -> Option<(usize, Span)> {
        self.files.iter().enumerate().find_map(|(fi, f)| {
            Self::ids_of(&f.ast)
                .find(|&(k, n)| {
                    k == kind && n.name == again.name && (fi, n.span) != (at, again.span)
                })
                .map(|(_, n)| (fi, n.span))
        })
    }

    /// The scenarios of file `fi` whose clauses name a design.
    pub(super) fn new_pending(&self, fi: usize) -> Vec<At> {
        let f = &self.files[fi].ast;
        (0..f.scenarios.len())
            .filter(|&si| {
                let s = &f.scenarios[si];
                !s.expects.is_empty() || !s.exists.is_empty()
            })
            .map(|si| (fi, si))
            .collect()
    }
    pub(super) fn check_new(&self, fi: usize) -> Result<(), CErr> {
        let err = |d: Diagnostic| CErr::new(fi, d);
        let f = &self.files[fi].ast;
        // Ids and function names are unique across files.
        let mut seen = HashSet::new();
        for (kind, name) in Self::ids_of(f) {
            if self.ids.contains(&(kind, name.name.clone()))
                || !seen.insert((kind, name.name.clone()))
            {
                let what = if kind == "fn" { "function" } else { kind };
                return Err(err(Message::DefinedTwice {
                    what,
                    name: name.name.clone(),
                    again: name.span,
                    first: self.first_definition(kind, name, fi),
                }
                .into()));
            }
        }
        for k in f
            .knobs
            .iter()
            .chain(f.designs.iter().flat_map(|d| &d.knobs))
            .chain(f.scenarios.iter().flat_map(|s| &s.knobs))
        {
            Knob::from_decl(k).map_err(err)?;
        }
        for func in f
            .funcs
            .iter()
            .chain(f.designs.iter().flat_map(|d| &d.funcs))
            .chain(f.scenarios.iter().flat_map(|s| &s.funcs))
        {
            compile::check_labels(&func.body).map_err(err)?;
        }
        for s in &f.scenarios {
            compile::check_labels(&s.body).map_err(err)?;
        }
        for (di, d) in f.designs.iter().enumerate() {
            let design = self.design_info_at((fi, di)).map_err(err)?;
            let _ = design;
            // Scenario names may come in later files: `unresolved` checks them.
            for e in &d.expects {
                for (p, _) in &e.props {
                    self.check_property(p).map_err(err)?;
                }
            }
            for sid in self.scenario_ids() {
                self.build_inner(&d.name.name, &sid, &[], None)
                    .map_err(|e| match e {
                        Inner::C(c) => c,
                        Inner::B(b) => err(Message::BuildFails {
                            span: d.name.span,
                            error: b.to_string(),
                            of: "design",
                        }
                        .into()),
                    })?;
            }
        }
        for s in &f.scenarios {
            for p in &s.properties {
                self.check_property(p).map_err(err)?;
            }
            for did in self.design_ids() {
                self.build_inner(&did, &s.name.name, &[], None)
                    .map_err(|e| match e {
                        Inner::C(c) => c,
                        Inner::B(b) => err(Message::BuildFails {
                            span: s.name.span,
                            error: b.to_string(),
                            of: "scenario",
                        }
                        .into()),
                    })?;
            }
        }
        Ok(())
    }
    /// A property id the checker has ([`PROPERTY_IDS`], the one list below the
    /// language and the checker).
    pub(super) fn check_property(&self, p: &ast::Ident) -> Result<(), Diagnostic> {
        if PROPERTY_IDS.contains(&p.name.as_str()) {
            return Ok(());
        }
        Err(Message::UnknownProperty {
            span: p.span,
            name: p.name.clone(),
            valid: PROPERTY_IDS.iter().map(|s| s.to_string()).collect(),
        }
        .into())
    }
}
