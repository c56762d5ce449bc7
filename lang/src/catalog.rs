//! A catalog of loaded files: the prelude's functions and global knobs, designs and
//! scenarios by id, and [`Catalog::build`] of one design x scenario x knob values.

use std::collections::HashSet;

use faultline_protocol::Machine;

use crate::ast;
use crate::compile::{self, CErr};
use crate::diag::{Diagnostic, FileError, Span, did_you_mean};
use crate::knob::{Knob, KnobKind};

/// A loaded file.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub name: String,
    pub text: String,
    pub ast: ast::File,
}

/// Where an item of a file sits: (file index, item index).
pub(crate) type At = (usize, usize);

/// Designs and scenarios from `.fl` files.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub(crate) files: Vec<Source>,
    /// Design and scenario ids to where they are (the first definition): a lookup
    /// per build was a scan, which made loading many designs quadratic.
    designs: std::collections::HashMap<String, At>,
    scenarios: std::collections::HashMap<String, At>,
    /// Property ids scenarios and clauses may name (unchecked when empty).
    properties: Vec<String>,
    /// Scenarios whose clauses name designs not loaded yet: rechecked as files load,
    /// refused by [`Catalog::unresolved`] if still unknown, so load order does not
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
    /// The predicate, compiled per build by [`Catalog::build_exists`].
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

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// Restricts the property ids files may name (with did-you-mean for the rest).
    pub fn set_properties(&mut self, ids: &[&str]) {
        self.properties = ids.iter().map(|s| s.to_string()).collect();
    }

    fn check_property(&self, p: &ast::Ident) -> Result<(), Diagnostic> {
        if self.properties.is_empty() || self.properties.contains(&p.name) {
            return Ok(());
        }
        Err(Diagnostic::new(
            p.span,
            format!("unknown property `{}`", p.name),
            "not a property",
        )
        .suggest(&p.name, self.properties.iter().map(String::as_str))
        .help(format!("properties: {}", self.properties.join(", "))))
    }

    /// Whether a file of this name is loaded.
    pub fn has_file(&self, name: &str) -> bool {
        self.files.iter().any(|f| f.name == name)
    }

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
    fn ids_of(f: &ast::File) -> impl Iterator<Item = (&'static str, &ast::Ident)> {
        let d = f.designs.iter().map(|d| ("design", &d.name));
        let s = f.scenarios.iter().map(|s| ("scenario", &s.name));
        let n = f.funcs.iter().map(|x| ("fn", &x.name));
        let k = f.knobs.iter().map(|x| ("knob", &x.name));
        d.chain(s).chain(n).chain(k)
    }

    /// The scenarios of file `fi` whose clauses name a design.
    fn new_pending(&self, fi: usize) -> Vec<At> {
        let f = &self.files[fi].ast;
        (0..f.scenarios.len())
            .filter(|&si| {
                let s = &f.scenarios[si];
                !s.expects.is_empty() || !s.exists.is_empty()
            })
            .map(|si| (fi, si))
            .collect()
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
                    let d = Diagnostic::new(
                        s.span,
                        format!("unknown scenario `{}`", s.name),
                        "no such scenario",
                    )
                    .suggest(&s.name, sids.iter().map(String::as_str));
                    return Err(self.file_error(CErr { file: fi, diag: d }));
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
                    .map_err(|d| self.file_error(CErr { file: fi, diag: d }))?;
            }
        }
        Ok(())
    }

    /// Checks the clauses of scenario `at` against the designs loaded so far: their
    /// properties, that their knobs build and their predicates compile for each.
    /// False when a clause names a design not loaded (yet).
    fn check_clauses(&self, (fi, si): At) -> Result<bool, CErr> {
        let err = |d: Diagnostic| CErr { file: fi, diag: d };
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
                    return Err(err(Diagnostic::new(e.span, format!("{b}"), "this clause")));
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
                        return Err(err(Diagnostic::new(e.span, format!("{b}"), "this clause")));
                    }
                    Err(Inner::C(c)) => return Err(c),
                }
            }
        }
        Ok(resolved)
    }

    pub(crate) fn file_error(&self, e: CErr) -> FileError {
        let f = &self.files[e.file.min(self.files.len().saturating_sub(1))];
        FileError::new(&f.name, &f.text, vec![e.diag])
    }

    fn check_new(&self, fi: usize) -> Result<(), CErr> {
        let err = |d: Diagnostic| CErr { file: fi, diag: d };
        let f = &self.files[fi].ast;
        // Ids and function names are unique across files.
        let mut seen = HashSet::new();
        for (kind, name) in Self::ids_of(f) {
            if self.ids.contains(&(kind, name.name.clone()))
                || !seen.insert((kind, name.name.clone()))
            {
                let what = if kind == "fn" { "function" } else { kind };
                return Err(err(Diagnostic::new(
                    name.span,
                    format!("{what} `{}` is defined twice", name.name),
                    "already defined",
                )));
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
                        Inner::B(b) => {
                            err(Diagnostic::new(d.name.span, b.to_string(), "this design"))
                        }
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
                        Inner::B(b) => {
                            err(Diagnostic::new(s.name.span, b.to_string(), "this scenario"))
                        }
                    })?;
            }
        }
        Ok(())
    }

    fn check_clause_designs(&self, designs: &[ast::Ident]) -> Result<(), Diagnostic> {
        let ids = self.design_ids();
        for d in designs {
            if d.name != "*" && !ids.contains(&d.name) {
                return Err(Diagnostic::new(
                    d.span,
                    format!("unknown design `{}`", d.name),
                    "no such design",
                )
                .suggest(&d.name, ids.iter().map(String::as_str)));
            }
        }
        Ok(())
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

    /// The design chain, child first: each with the knob values its child fixes.
    pub(crate) fn design_chain(&self, at: At) -> Result<Vec<At>, Diagnostic> {
        let mut chain = vec![at];
        let mut cur = at;
        while let Some((p, _)) = &self.design_ast(cur).parent {
            let Some(pat) = self.find_design(&p.name) else {
                let ids = self.design_ids();
                return Err(Diagnostic::new(
                    p.span,
                    format!("unknown design `{}`", p.name),
                    "no such design to extend",
                )
                .suggest(&p.name, ids.iter().map(String::as_str)));
            };
            if chain.contains(&pat) {
                return Err(Diagnostic::new(p.span, "a design extends itself", "cycle"));
            }
            chain.push(pat);
            cur = pat;
        }
        Ok(chain)
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
        let chain = self.design_chain(dat).map_err(|d| {
            Inner::C(CErr {
                file: dat.0,
                diag: d,
            })
        })?;
        // Knob definitions: the design chain's (minus fixed), the scenario's, then global.
        let mut defs: Vec<(Knob, usize)> = Vec::new();
        let mut fixed: Vec<(String, String)> = Vec::new();
        for &c in &chain {
            let cd = self.design_ast(c);
            for k in &cd.knobs {
                let kn = Knob::from_decl(k).map_err(|d| Inner::C(CErr { file: c.0, diag: d }))?;
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
                Knob::from_decl(k).map_err(|d| {
                    Inner::C(CErr {
                        file: sat.0,
                        diag: d,
                    })
                })?,
                sat.0,
            ));
        }
        for (fi, f) in self.files.iter().enumerate() {
            for k in &f.ast.knobs {
                defs.push((
                    Knob::from_decl(k).map_err(|d| Inner::C(CErr { file: fi, diag: d }))?,
                    fi,
                ));
            }
        }
        for (i, (k, fi)) in defs.iter().enumerate() {
            if defs[..i].iter().any(|(o, _)| o.name == k.name) {
                let span = self.knob_span(&k.name).unwrap_or_default();
                return Err(Inner::C(CErr {
                    file: *fi,
                    diag: Diagnostic::new(
                        span,
                        format!(
                            "knob `{}` is defined twice for {design} x {scenario}",
                            k.name
                        ),
                        "defined again",
                    ),
                }));
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
                let at = |msg: String, label: &str| {
                    Inner::C(CErr {
                        file: c.0,
                        diag: Diagnostic::new(k.span, msg, label),
                    })
                };
                if pins[..i].iter().any(|(o, _)| o.name == k.name) {
                    return Err(at(format!("knob `{}` is pinned twice", k.name), "again"));
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
                    let d = Diagnostic::new(
                        k.span,
                        format!("unknown knob `{}` pinned for {design} x {scenario}", k.name),
                        "no such knob",
                    )
                    .suggest(&k.name, names.iter().map(String::as_str));
                    return Err(Inner::C(CErr { file: c.0, diag: d }));
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
        let machine = compile::build(self, &chain, sat, &knobs).map_err(Inner::C)?;
        Ok(Built {
            machine,
            knobs: shown,
            properties: sc.properties.iter().map(|p| p.name.clone()).collect(),
        })
    }

    /// Definitions of the knobs a design chain fixes, in the order they are fixed.
    fn fixed_defs(&self, chain: &[At], pinned: &[Knob]) -> Vec<Knob> {
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

    fn knob_span(&self, name: &str) -> Option<crate::diag::Span> {
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

    /// The closest design id to `name`.
    pub fn suggest_design(&self, name: &str) -> Option<String> {
        let ids = self.design_ids();
        did_you_mean(name, ids.iter().map(String::as_str)).map(str::to_string)
    }
}

/// A build failure before it is tied to a file's text.
#[derive(Debug)]
pub(crate) enum Inner {
    C(CErr),
    B(BuildError),
}

/// A clause as written in its file.
fn clause_text(text: &str, span: Span) -> String {
    text.get(span.lo as usize..span.hi as usize)
        .unwrap_or("")
        .to_string()
}

/// A clause's `with KNOB = VALUE, ...` settings.
fn knob_pairs(with: &[(ast::Ident, ast::Ident)]) -> Vec<(String, String)> {
    with.iter()
        .map(|(k, v)| (k.name.clone(), v.name.clone()))
        .collect()
}
