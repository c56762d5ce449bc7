//! Option groups shared by several subcommands, flattened into each.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap::builder::{OsStringValueParser, PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Arg, Args};
use faultline_checker::{Budget, Engine, Options as EngineOptions, Property, Reduce};

use crate::error::CliError;
use crate::format::Format;
use faultline_checker::MemoryBudget;

/// Options of `list`.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ListArgs {
    /// List these files' designs and scenarios too.
    #[command(flatten)]
    pub files: FileArgs,
}

/// User `.fl` files whose designs and scenarios join the catalog.
#[derive(Debug, Args, PartialEq, Default)]
pub(crate) struct FileArgs {
    /// Add the designs and scenarios of this `.fl` file to the catalog, by id (a design
    /// is a new `matrix` column, a scenario a new row); repeatable, loaded in order.
    #[arg(long = "file", value_name = "F.fl")]
    pub files: Vec<PathBuf>,
}

/// The model to build: a design, a scenario and knob settings.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct ModelArgs {
    /// The design (`faultline list` names them).
    #[arg(value_name = "DESIGN")]
    pub design: String,
    /// The scenario (`faultline list` names them).
    #[arg(value_name = "SCENARIO")]
    pub scenario: String,
    /// Set a knob of the design or scenario; repeatable.
    #[arg(long = "set", value_name = "KNOB=VALUE", value_parser = knob_setting)]
    pub sets: Vec<(String, String)>,
    /// Where the design and scenario may come from besides the built-in catalog.
    #[command(flatten)]
    pub files: FileArgs,
}

/// Which cells of the design x scenario matrix (`matrix`, `report`).
#[derive(Debug, Args, PartialEq)]
pub(crate) struct SelectArgs {
    /// Only this design; repeatable (all when none given).
    #[arg(long = "design", value_name = "D")]
    pub designs: Vec<String>,
    /// Only this scenario; repeatable (all when none given).
    #[arg(long = "scenario", value_name = "S")]
    pub scenarios: Vec<String>,
    /// Set a knob in every selected cell that has it; repeatable.
    #[arg(long = "set", value_name = "KNOB=VALUE", value_parser = knob_setting)]
    pub sets: Vec<(String, String)>,
    /// User files: their designs are new columns, their scenarios new rows.
    #[command(flatten)]
    pub files: FileArgs,
}

/// What `check`, `cluster` and `explain` check: a model and its properties.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct TargetArgs {
    /// What to check.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Which properties.
    #[command(flatten)]
    pub properties: PropertyArgs,
}

/// Where a check's report goes (`check`, `cluster`): DOT files and stdout's format.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct OutputArgs {
    /// Write the DOT graphs of each violation into DIR.
    #[arg(long, value_name = "DIR", value_parser = out_dir())]
    pub dot: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Text)]
    pub format: Format,
    /// Print JSON: `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

impl OutputArgs {
    /// `--format`, with `--json` its alias.
    pub(crate) fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }
}

/// The properties to check.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct PropertyArgs {
    /// Check this property; repeatable (the scenario's properties when none given).
    #[arg(long = "property", value_name = "P", value_parser = ids(Property::ALL, |p| p.id()))]
    pub properties: Vec<Property>,
}

impl PropertyArgs {
    /// The properties in the order given; a property given twice is an error, like
    /// any other repeated option.
    pub(crate) fn list(&self) -> Result<Vec<Property>, CliError> {
        let mut unique: Vec<Property> = Vec::new();
        for &p in &self.properties {
            if unique.contains(&p) {
                return Err(CliError::Usage(
                    format!("`--property {}` given more than once", p.id()),
                    "faultline help",
                ));
            }
            unique.push(p);
        }
        Ok(unique)
    }
}

/// How far to explore.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct BudgetArgs {
    /// Stop after storing N unique states (then the verdict is inconclusive); by
    /// default no state limit: the memory budget decides.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_states: Option<u64>,
    /// The state store's memory (`512M`, `2G`): by default half the room left under
    /// the cgroup limit, `ulimit -v`/`-d` and MemAvailable less headroom; this sets
    /// it, up to that whole room.
    #[arg(long, value_name = "SIZE", value_parser = faultline_checker::parse_size)]
    pub max_memory: Option<u64>,
}

impl BudgetArgs {
    /// The one engine configuration ([`EngineOptions::machine`]) for `threads`, and
    /// the memory budget it enforces.
    pub(crate) fn machine(&self, threads: Option<u16>) -> (EngineOptions, MemoryBudget) {
        EngineOptions::machine(
            threads.map(usize::from),
            self.max_states.unwrap_or(Budget::DEFAULT_MAX_STATES),
            self.max_memory,
        )
    }
}

/// Which engine explores, and its limits.
#[derive(Debug, Args, PartialEq)]
pub(crate) struct EngineArgs {
    /// The engine: the native breadth-first explorer, loom or shuttle.
    #[arg(long, value_name = "ENGINE", default_value = "native",
          value_parser = ids(Engine::ALL, |e| e.id()))]
    pub engine: Engine,
    /// Most executions loom or shuttle's DFS may run (shuttle then samples as many again).
    #[arg(long, value_name = "N", default_value_t = EngineOptions::DEFAULT_MAX_EXECUTIONS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub executions: u64,
    /// Seed of shuttle's schedulers and choices.
    #[arg(long, value_name = "N", default_value_t = EngineOptions::DEFAULT_SEED)]
    pub seed: u64,
    /// Reductions of the native engine (each is used only where it keeps every
    /// verdict exact; liveness properties always run unreduced).
    #[arg(long, value_name = "R", default_value = "all", value_parser = reduce_ids())]
    pub reduce: Reduce,
    /// Threads of the native engine (the results do not depend on it; default: the
    /// cores this process may use).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

impl EngineArgs {
    /// The checker's options with `budget`, and the memory budget they enforce.
    pub(crate) fn options(&self, budget: &BudgetArgs) -> (EngineOptions, MemoryBudget) {
        let (opts, memory) = budget.machine(self.threads);
        let opts = EngineOptions {
            max_executions: self.executions,
            seed: self.seed,
            reduce: self.reduce,
            ..opts
        };
        (opts, memory)
    }
}

/// `--reduce`'s values.
pub(crate) fn reduce_ids() -> IdParser<Reduce> {
    ids(Reduce::ALL, |r| r.id())
}

/// An output directory (`--dot DIR`, `--out DIR`): any bytes, but not empty, which
/// would mean the working directory.
pub(crate) fn out_dir() -> impl TypedValueParser<Value = PathBuf> {
    OsStringValueParser::new().try_map(|s| {
        if s.is_empty() {
            Err("an empty directory name; give a directory, `.` for this one")
        } else {
            Ok(PathBuf::from(s))
        }
    })
}

/// `--set KNOB=VALUE`.
pub(crate) fn knob_setting(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err("expected KNOB=VALUE".into()),
    }
}

/// A value parser for a checker enum with string ids (`Property`, `Engine`): the ids
/// are its possible values, so they show in help, errors and completions.
fn ids<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    id: fn(T) -> &'static str,
) -> IdParser<T> {
    IdParser { all, id }
}

/// See [`ids`].
#[derive(Clone)]
pub(crate) struct IdParser<T: 'static> {
    all: &'static [T],
    id: fn(T) -> &'static str,
}

impl<T: Copy + Send + Sync + 'static> TypedValueParser for IdParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let name = PossibleValuesParser::new(self.all.iter().map(|&t| (self.id)(t)))
            .parse_ref(cmd, arg, value)?;
        self.all
            .iter()
            .copied()
            .find(|&t| (self.id)(t) == name)
            .ok_or_else(|| clap::Error::new(ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.all.iter().map(|&t| PossibleValue::new((self.id)(t))),
        ))
    }
}
