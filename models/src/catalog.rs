//! The catalog: compiled `.fl` files, lookup by id, knob resolution and `build`. The
//! built-in catalog is compiled once per process; [`Catalog::with_files`] adds a
//! user's files to a copy of it.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use faultline_lang::BuildError;
use faultline_protocol::Machine;

use crate::error::CatalogError;
use crate::fl::CATALOG_FILES;
use crate::info::{Design, KnobDef, Knobs, Scenario};

/// A design and a scenario, built with resolved knobs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Model {
    /// The design.
    pub design: Arc<Design>,
    /// The scenario.
    pub scenario: Arc<Scenario>,
    /// Every knob that applies, set or defaulted.
    pub knobs: Knobs,
    /// The definitions of those knobs, in the same order.
    pub knob_defs: Vec<KnobDef>,
    /// The machine to explore.
    pub machine: Machine,
}

/// Designs and scenarios from `.fl` files: the built-in ones, and any a user adds.
#[derive(Clone, Debug)]
pub struct Catalog {
    lang: faultline_lang::Compiler,
    designs: Vec<Arc<Design>>,
    scenarios: Vec<Arc<Scenario>>,
    global: Vec<KnobDef>,
}

impl Catalog {
    /// The built-in catalog (`models/fl/*.fl`), compiled on first use.
    pub fn builtin() -> Result<&'static Catalog, CatalogError> {
        static BUILTIN: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let mut c = Catalog {
                    lang: faultline_lang::Compiler::new(),
                    designs: Vec::new(),
                    scenarios: Vec::new(),
                    global: Vec::new(),
                };
                for (name, text) in CATALOG_FILES {
                    c.lang.load(name, text)?;
                }
                c.refresh();
                Ok(c)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The built-in catalog plus the files at `paths`, loaded in order.
    pub fn with_files<P: AsRef<Path>>(paths: &[P]) -> Result<Catalog, CatalogError> {
        let mut c = Catalog::builtin()?.clone();
        for p in paths {
            c.load_file(p.as_ref())?;
        }
        c.unresolved()?;
        Ok(c)
    }

    /// A clause naming a design that no loaded file defines (`file:line:col`); call it
    /// once every file is loaded, in whatever order.
    pub fn unresolved(&self) -> Result<(), CatalogError> {
        Ok(self.lang.unresolved()?)
    }

    /// Reads and loads a `.fl` file; its name in errors is the path as given.
    pub fn load_file(&mut self, path: &Path) -> Result<(), CatalogError> {
        let text = faultline_lang::read_text(path).map_err(|e| CatalogError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        self.load(&path.display().to_string(), &text)
    }

    /// Loads `.fl` text named `name`: its designs and scenarios join the catalog, and
    /// every pair it adds must compile (else a `file:line:col` error).
    pub fn load(&mut self, name: &str, text: &str) -> Result<(), CatalogError> {
        self.lang.load(name, text)?;
        self.refresh();
        Ok(())
    }

    fn refresh(&mut self) {
        self.designs = self
            .lang
            .designs()
            .into_iter()
            .map(|d| Arc::new(d.into()))
            .collect();
        self.scenarios = self
            .lang
            .scenarios()
            .into_iter()
            .map(|s| Arc::new(s.into()))
            .collect();
        self.global = self.lang.global_knobs().iter().map(KnobDef::from).collect();
    }

    /// The compiled files, for `expect`/`exists` clauses and listings.
    pub fn compiler(&self) -> &faultline_lang::Compiler {
        &self.lang
    }

    /// Every design, in load order.
    pub fn designs(&self) -> &[Arc<Design>] {
        &self.designs
    }

    /// Every scenario, in load order (the kernel scenarios included).
    pub fn scenarios(&self) -> &[Arc<Scenario>] {
        &self.scenarios
    }

    /// The scenarios of the design matrix (all but the kernel scenarios).
    pub fn matrix_scenarios(&self) -> impl Iterator<Item = &Arc<Scenario>> {
        self.scenarios.iter().filter(|s| !s.is_kernel())
    }

    /// The scenarios that mirror a real-kernel test ([`Scenario::is_kernel`]).
    pub fn kernel_scenarios(&self) -> impl Iterator<Item = &Arc<Scenario>> {
        self.scenarios.iter().filter(|s| s.is_kernel())
    }

    /// The design with this id.
    pub fn design(&self, id: &str) -> Result<&Arc<Design>, CatalogError> {
        self.designs.iter().find(|d| d.id == id).ok_or_else(|| {
            BuildError::UnknownDesign {
                name: id.to_string(),
                valid: ids(self.designs.iter().map(|d| d.id)),
            }
            .into()
        })
    }

    /// The scenario with this id.
    pub fn scenario(&self, id: &str) -> Result<&Arc<Scenario>, CatalogError> {
        self.scenarios.iter().find(|s| s.id == id).ok_or_else(|| {
            BuildError::UnknownScenario {
                name: id.to_string(),
                valid: ids(self.scenarios.iter().map(|s| s.id)),
            }
            .into()
        })
    }

    /// Knobs that apply to every design and scenario.
    pub fn global_knobs(&self) -> &[KnobDef] {
        &self.global
    }

    /// Every knob of `design` x `scenario`: the design's, the scenario's, then the
    /// global ones.
    pub fn knob_defs(&self, design: &Design, scenario: &Scenario) -> Vec<KnobDef> {
        design
            .knobs
            .iter()
            .chain(&scenario.knobs)
            .chain(&self.global)
            .cloned()
            .collect()
    }

    /// Builds `design` x `scenario` with `sets` (`NAME=VALUE` pairs already split).
    pub fn build(
        &self,
        design: &str,
        scenario: &str,
        sets: &[(String, String)],
    ) -> Result<Model, CatalogError> {
        let d = Arc::clone(self.design(design)?);
        let s = Arc::clone(self.scenario(scenario)?);
        let built = self.lang.build(design, scenario, sets)?;
        Ok(Model {
            knob_defs: self.knob_defs(&d, &s),
            design: d,
            scenario: s,
            knobs: Knobs::new(built.knobs),
            machine: built.machine,
        })
    }
}

fn ids<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.collect::<Vec<_>>().join(", ")
}

/// The built-in catalog, or an empty one if it does not load (a bug the tests catch;
/// [`build`] reports it).
fn builtin() -> Option<&'static Catalog> {
    Catalog::builtin().ok()
}

/// Builds `design` x `scenario` of the built-in catalog.
pub fn build(
    design_id: &str,
    scenario_id: &str,
    sets: &[(String, String)],
) -> Result<Model, CatalogError> {
    Catalog::builtin()?.build(design_id, scenario_id, sets)
}

/// The built-in design with this id.
pub fn design(id: &str) -> Result<&'static Arc<Design>, CatalogError> {
    Catalog::builtin()?.design(id)
}

/// The built-in scenario with this id.
pub fn scenario(id: &str) -> Result<&'static Arc<Scenario>, CatalogError> {
    Catalog::builtin()?.scenario(id)
}

/// Knobs that apply to every built-in design and scenario.
pub fn global_knobs() -> &'static [KnobDef] {
    builtin().map_or(&[], Catalog::global_knobs)
}

/// Every knob of a built-in `design` x `scenario`.
pub fn knob_defs(design: &Design, scenario: &Scenario) -> Vec<KnobDef> {
    builtin().map_or_else(Vec::new, |c| c.knob_defs(design, scenario))
}

/// Every built-in design, in catalog order: `for d in DESIGNS`.
#[derive(Clone, Copy, Debug)]
pub struct Designs;

/// The built-in designs.
pub const DESIGNS: Designs = Designs;

impl IntoIterator for Designs {
    type Item = &'static Arc<Design>;
    type IntoIter = std::slice::Iter<'static, Arc<Design>>;
    fn into_iter(self) -> Self::IntoIter {
        builtin().map_or(&[][..], Catalog::designs).iter()
    }
}

/// Built-in scenarios, in catalog order: `for s in SCENARIOS`.
#[derive(Clone, Copy, Debug)]
pub struct Scenarios {
    kernel: bool,
}

/// The scenarios of the design matrix (H1-H10 and scale).
pub const SCENARIOS: Scenarios = Scenarios { kernel: false };

/// The scenarios that mirror the real-kernel tests in `repro/` step by step, with a
/// `kernel` knob: checked by `faultline check` and the repro harness, not in the
/// design matrix (they pin a kernel, not a design question).
pub const KERNEL_SCENARIOS: Scenarios = Scenarios { kernel: true };

impl IntoIterator for Scenarios {
    type Item = &'static Arc<Scenario>;
    type IntoIter = std::vec::IntoIter<&'static Arc<Scenario>>;
    fn into_iter(self) -> Self::IntoIter {
        builtin()
            .map_or(&[][..], Catalog::scenarios)
            .iter()
            .filter(|s| s.is_kernel() == self.kernel)
            .collect::<Vec<_>>()
            .into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_loads_and_every_pair_builds_with_defaults() {
        let c = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            DESIGNS.into_iter().map(|d| d.id).collect::<Vec<_>>(),
            [
                "upstream",
                "vma-retry",
                "hold-io",
                "hold-file",
                "two-flag",
                "approach3"
            ]
        );
        assert_eq!(SCENARIOS.into_iter().count(), 14);
        assert_eq!(
            KERNEL_SCENARIOS
                .into_iter()
                .map(|s| s.id)
                .collect::<Vec<_>>(),
            [
                "kernel-h2",
                "kernel-wb",
                "kernel-ff",
                "uptodate-wb",
                "munmap-close"
            ]
        );
        for d in c.designs() {
            for s in c.scenarios() {
                let m = c.build(d.id, s.id, &[]).expect("catalog entries build");
                assert!(!m.machine.threads().is_empty(), "{} x {}", d.id, s.id);
                assert_eq!(m.knob_defs.len(), m.knobs.pairs().count());
            }
        }
    }

    #[test]
    fn every_catalog_entry_cites_its_source() {
        let c = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        for d in c.designs() {
            assert!(!d.source.is_empty(), "design {} has no `source`", d.id);
        }
        for s in c.scenarios() {
            assert!(!s.source.is_empty(), "scenario {} has no `source`", s.id);
        }
    }

    #[test]
    fn unknown_ids_name_the_valid_choices() {
        let e = build("nope", "fork-fuse", &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown design `nope`; valid designs: upstream, vma-retry, hold-io, hold-file, two-flag, approach3"
        );
        let e = build("upstream", "nope", &[]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown scenario `nope`; valid scenarios: fork-fuse,")
        );
    }

    #[test]
    fn a_knob_of_another_scenario_is_unknown_here() {
        let sets = [("mapping".to_string(), "shared".to_string())];
        let e = build("upstream", "tried-fuse", &sets).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown knob `mapping` for upstream x tried-fuse; valid knobs: admission, evictions, fork-lock, server, server-buffer, server-fault, writer-vma"
        );
    }

    #[test]
    fn a_user_file_adds_a_design_and_a_bad_one_says_where() {
        let dir = tempfile::tempdir().expect("temp dir");
        let good = dir.path().join("d.fl");
        std::fs::write(&good, "design d extends upstream() { title \"t\"; }\n").expect("writes");
        let c = Catalog::with_files(&[&good]).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.design("d").is_ok());
        assert!(c.build("d", "fork-fuse", &[]).is_ok());
        let bad = dir.path().join("bad.fl");
        std::fs::write(&bad, "design d {\n\ttitle \"t\";\n\tvoid nope() { }\n}\n").expect("writes");
        let e = Catalog::with_files(&[&bad]).unwrap_err();
        let f = e.file_error().expect("a file error");
        assert!(f.headline().contains("bad.fl:3:7"), "{}", f.headline());
        let e = Catalog::with_files(&[dir.path().join("missing.fl")]).unwrap_err();
        assert!(e.to_string().starts_with("cannot read "), "{e}");
    }
}
