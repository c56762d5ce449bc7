//! A session: the built-in catalog plus the user's files.

use std::path::Path;
use std::sync::Arc;

use faultline_checker::{Budget, Checker, MemoryBudget, Options, Property};
use faultline_models::{Catalog, Design, Scenario};
use faultline_traces::Token;

use crate::error::Error;
use crate::outcome::Checked;

/// The catalog (built-in designs and scenarios, and any files loaded) and the engine
/// configuration every command uses: all reductions, the cores, the machine's memory.
#[derive(Clone, Debug)]
pub struct Faultline {
    catalog: Catalog,
    options: Options,
    memory: MemoryBudget,
}

impl Faultline {
    /// The built-in catalog (`models/fl/*.fl`, embedded); no state limit and the
    /// machine's memory budget (cgroup, rlimits, MemAvailable), like the command line.
    pub fn new() -> Result<Faultline, Error> {
        // The built-in files are compiled once per process; a session copies them.
        Ok(Faultline::with_catalog(Catalog::builtin()?.clone()))
    }

    /// A session over `catalog` (e.g. [`Catalog::with_files`]), with [`Faultline::new`]'s
    /// engine configuration.
    pub fn with_catalog(catalog: Catalog) -> Faultline {
        let (options, memory) = Options::machine(None, Budget::DEFAULT_MAX_STATES, None);
        Faultline {
            catalog,
            options,
            memory,
        }
    }

    /// Sets the exploration budget (`max_bytes` as given: the caller decides).
    pub fn with_budget(mut self, budget: Budget) -> Faultline {
        self.options.budget = budget;
        self
    }

    /// Sets the state limit and `--max-memory` as the command line does: the memory
    /// budget stays within the machine's room.
    pub fn with_limits(mut self, max_states: Option<u64>, max_memory: Option<u64>) -> Faultline {
        let (options, memory) = Options::machine(
            Some(self.options.threads),
            max_states.unwrap_or(Budget::DEFAULT_MAX_STATES),
            max_memory,
        );
        self.options.budget = options.budget;
        self.memory = memory;
        self
    }

    /// The exploration budget.
    pub fn budget(&self) -> &Budget {
        &self.options.budget
    }

    /// The machine's memory budget and the limit that set it (printable).
    pub fn memory(&self) -> &MemoryBudget {
        &self.memory
    }

    /// Loads a `.fl` file from disk.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let text = faultline_lang::read_text(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        self.load_str(&path.display().to_string(), &text)
    }

    /// Loads `.fl` text (`include_str!` it, or build it in the test); `name` is used in
    /// error messages.
    pub fn load_str(&mut self, name: &str, text: &str) -> Result<(), Error> {
        Ok(self.catalog.load(name, text)?)
    }

    /// The catalog: the built-in designs and scenarios and the files loaded.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The compiled files behind the catalog (clauses, `exists` queries).
    pub(crate) fn compiler(&self) -> &faultline_lang::Compiler {
        self.catalog.compiler()
    }

    /// Every design, in load order.
    pub fn designs(&self) -> &[Arc<Design>] {
        self.catalog.designs()
    }

    /// Every scenario, in load order.
    pub fn scenarios(&self) -> &[Arc<Scenario>] {
        self.catalog.scenarios()
    }

    /// Checks `design` x `scenario` with knob settings, for the scenario's properties.
    pub fn check(
        &self,
        design: &str,
        scenario: &str,
        knobs: &[(&str, &str)],
    ) -> Result<Checked, Error> {
        self.check_props(design, scenario, knobs, &[])
    }

    /// Checks `design` x `scenario` for the scenario's properties and `extra` ones.
    pub fn check_props(
        &self,
        design: &str,
        scenario: &str,
        knobs: &[(&str, &str)],
        extra: &[Property],
    ) -> Result<Checked, Error> {
        let sets = owned(knobs);
        let built = self.catalog.compiler().build(design, scenario, &sets)?;
        let mut props = Vec::new();
        for p in &built.properties {
            props.push(Property::parse(p).ok_or_else(|| Error::UnknownProperty(p.clone()))?);
        }
        for p in extra {
            if !props.contains(p) {
                props.push(*p);
            }
        }
        let report = Checker::new(&built.machine)
            .properties(&props)
            .options(&self.options)
            .run()?;
        Ok(Checked::new(
            design,
            scenario,
            built.knobs,
            Arc::new(built.machine),
            report,
        ))
    }

    /// The steps of replay token `token` (`STEPS@HASH`, as [`crate::Counterexample`]
    /// and the command line print it), refused with [`Error::Token`] if it was recorded
    /// on another model than `design` x `scenario` with these knobs.
    pub fn check_token(
        &self,
        design: &str,
        scenario: &str,
        knobs: &[(&str, &str)],
        token: &str,
    ) -> Result<String, Error> {
        let sets = owned(knobs);
        let built = self.catalog.compiler().build(design, scenario, &sets)?;
        let pairs = built.knobs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        Ok(Token::check(token, &built.machine, pairs)?.to_string())
    }
}

/// Knob settings as the catalog takes them.
fn owned(knobs: &[(&str, &str)]) -> Vec<(String, String)> {
    knobs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
