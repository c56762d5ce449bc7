//! Command-line parsing: raw words into a validated [`Command`].

use std::path::PathBuf;

use faultline_checker::{Budget, Engine, Options as EngineOptions, Property};

use crate::error::CliError;
use crate::format::Format;

/// What to run.
#[derive(Debug, PartialEq)]
pub(crate) enum Command {
    /// Print usage.
    Help,
    /// Print the version.
    Version,
    /// List designs, scenarios, knobs and properties.
    List,
    /// Check one design against one scenario.
    Check(CheckArgs),
    /// Every design x scenario.
    Matrix(MatrixArgs),
    /// Explain the first violation in 80 columns.
    Explain {
        /// Design, scenario and knobs.
        target: Target,
        /// Properties to check (the scenario's when none given).
        properties: Vec<Property>,
        /// Exploration budget.
        budget: Budget,
    },
    /// Write the HTML report of a matrix of checks.
    Report(ReportArgs),
    /// Replay a counterexample token (or, with `--engine shuttle`, a shuttle schedule).
    Replay {
        /// Design, scenario and knobs.
        target: Target,
        /// The token.
        token: String,
        /// `native` (a step token) or `shuttle` (a schedule).
        engine: Engine,
    },
}

/// A design, a scenario and knob settings.
#[derive(Debug, PartialEq)]
pub(crate) struct Target {
    /// Design id.
    pub design: String,
    /// Scenario id.
    pub scenario: String,
    /// `--set NAME=VALUE` pairs in order.
    pub sets: Vec<(String, String)>,
}

/// Options of `check`.
#[derive(Debug, PartialEq)]
pub(crate) struct CheckArgs {
    /// What to check.
    pub target: Target,
    /// Properties to check (all when none given).
    pub properties: Vec<Property>,
    /// Where to write DOT files.
    pub dot: Option<PathBuf>,
    /// What to print (`--format`, or `--json`).
    pub format: Format,
    /// The engine (`--engine`).
    pub engine: Engine,
    /// Budgets and seed (`--max-states`, `--executions`, `--seed`).
    pub options: EngineOptions,
}

/// How `matrix` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MatrixFormat {
    /// A plain-text table.
    Text,
    /// A markdown table.
    Markdown,
    /// One JSON document.
    Json,
}

/// Options of `matrix`.
#[derive(Debug, PartialEq)]
pub(crate) struct MatrixArgs {
    /// `--design` ids (all when empty).
    pub designs: Vec<String>,
    /// `--scenario` ids (all when empty).
    pub scenarios: Vec<String>,
    /// `--set` pairs, applied where the knob exists.
    pub sets: Vec<(String, String)>,
    /// Where to write DOT files of violated cells.
    pub dot: Option<PathBuf>,
    /// Output format.
    pub format: MatrixFormat,
    /// The engine (`--engine`).
    pub engine: Engine,
    /// Budgets and seed per cell.
    pub options: EngineOptions,
}

/// Options of `report`.
#[derive(Debug, PartialEq)]
pub(crate) struct ReportArgs {
    /// The output directory.
    pub out: PathBuf,
    /// Designs to include (all when none given).
    pub designs: Vec<String>,
    /// Scenarios to include (all when none given).
    pub scenarios: Vec<String>,
    /// `--set NAME=VALUE` pairs, applied to every cell that has the knob.
    pub sets: Vec<(String, String)>,
}

/// The usage text.
pub(crate) const USAGE: &str = "\
faultline: a model checker for Linux mm lock protocols (mmap_lock, per-VMA locks, folio I/O)

usage:
  faultline list
  faultline check DESIGN SCENARIO [--set KNOB=VALUE]... [--property P]... [--dot DIR]
                  [--format text|json|dot] [--json] [--max-states N]
                  [--engine native|loom|shuttle] [--executions N] [--seed N]
  faultline matrix [--design D]... [--scenario S]... [--set KNOB=VALUE]... [--dot DIR]
                   [--json | --markdown] [--max-states N]
                   [--engine native|loom|shuttle] [--executions N] [--seed N]
  faultline explain DESIGN SCENARIO [--set KNOB=VALUE]... [--property P]... [--max-states N]
  faultline report --out DIR [--design D]... [--scenario S]... [--set KNOB=VALUE]...
  faultline replay DESIGN SCENARIO TOKEN [--set KNOB=VALUE]... [--engine shuttle]
  faultline help | --help | --version

exit codes: 0 every property holds, 1 a property is violated, 2 bad input or a model
error, 3 inconclusive (a budget stopped the search); `matrix` and `report` exit 0 once
every cell is decided (violations are their findings), 3 otherwise
";

/// Parses the arguments after the program name.
pub(crate) fn parse(args: &[String]) -> Result<Command, CliError> {
    let usage = |m: String| CliError::Usage(m);
    let Some(cmd) = args.first() else {
        return Ok(Command::Help);
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "--version" | "-V" => Ok(Command::Version),
        "list" => match rest.first() {
            None => Ok(Command::List),
            Some(extra) => Err(usage(format!("`list` takes no arguments, got `{extra}`"))),
        },
        "check" => parse_check(rest).map(Command::Check),
        "matrix" => parse_matrix(rest).map(Command::Matrix),
        "explain" => {
            let mut o = Options::parse(rest, &["--set", "--property", "--max-states"])?;
            let [design, scenario] = o.positional::<2>("explain DESIGN SCENARIO")?;
            Ok(Command::Explain {
                properties: properties(&o)?,
                budget: budget(&o)?,
                target: Target {
                    design,
                    scenario,
                    sets: o.sets()?,
                },
            })
        }
        "report" => {
            let mut o = Options::parse(rest, &["--out", "--design", "--scenario", "--set"])?;
            o.positional::<0>("report --out DIR")?;
            let out = o
                .single("--out")?
                .ok_or_else(|| usage("`report` needs --out DIR".into()))?;
            Ok(Command::Report(ReportArgs {
                out: PathBuf::from(out),
                designs: o.values("--design"),
                scenarios: o.values("--scenario"),
                sets: o.sets()?,
            }))
        }
        "replay" => {
            let mut o = Options::parse(rest, &["--set", "--engine"])?;
            let [design, scenario, token] = o.positional::<3>("replay DESIGN SCENARIO TOKEN")?;
            let engine = engine(&o)?;
            if engine == Engine::Loom {
                return Err(usage(
                    "loom counterexamples replay as native tokens; drop --engine loom".into(),
                ));
            }
            Ok(Command::Replay {
                target: Target {
                    design,
                    scenario,
                    sets: o.sets()?,
                },
                token,
                engine,
            })
        }
        other => Err(usage(format!(
            "unknown command `{other}`; commands: list, check, matrix, explain, report, replay, help"
        ))),
    }
}

fn parse_check(rest: &[String]) -> Result<CheckArgs, CliError> {
    let mut o = Options::parse(
        rest,
        &[
            "--set",
            "--property",
            "--dot",
            "--max-states",
            "--json",
            "--format",
            "--engine",
            "--executions",
            "--seed",
        ],
    )?;
    let [design, scenario] = o.positional::<2>("check DESIGN SCENARIO")?;
    let properties = properties(&o)?;
    let format = match (o.single("--format")?, o.flag("--json")) {
        (Some(f), false) => Format::parse(&f)?,
        (None, true) => Format::Json,
        (None, false) => Format::Text,
        (Some(_), true) => {
            return Err(CliError::Usage(
                "`--json` is `--format json`; give one of them".into(),
            ));
        }
    };
    Ok(CheckArgs {
        target: Target {
            design,
            scenario,
            sets: o.sets()?,
        },
        properties,
        dot: o.single("--dot")?.map(PathBuf::from),
        format,
        engine: engine(&o)?,
        options: engine_options(&o)?,
    })
}

/// The `--property` values, validated, each once, in the order given.
fn properties(o: &Options) -> Result<Vec<Property>, CliError> {
    let properties = o
        .values("--property")
        .into_iter()
        .map(|p| {
            Property::parse(&p).ok_or_else(|| CliError::UnknownProperty {
                name: p.clone(),
                valid: Property::ALL
                    .iter()
                    .map(|p| p.id())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut unique: Vec<Property> = Vec::new();
    for p in properties {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    Ok(unique)
}

fn budget(o: &Options) -> Result<Budget, CliError> {
    let mut budget = Budget::default();
    if let Some(n) = o.single("--max-states")? {
        budget.max_states = positive("--max-states", &n)?;
    }
    Ok(budget)
}

/// `--max-states`, `--executions` and `--seed`.
fn engine_options(o: &Options) -> Result<EngineOptions, CliError> {
    let mut options = EngineOptions {
        budget: budget(o)?,
        ..EngineOptions::default()
    };
    if let Some(n) = o.single("--executions")? {
        options.max_executions = positive("--executions", &n)?;
    }
    if let Some(n) = o.single("--seed")? {
        options.seed = n
            .parse::<u64>()
            .map_err(|_| CliError::Usage(format!("--seed needs a number, got `{n}`")))?;
    }
    Ok(options)
}

fn engine(o: &Options) -> Result<Engine, CliError> {
    match o.single("--engine")? {
        None => Ok(Engine::Native),
        Some(e) => Engine::parse(&e).ok_or_else(|| {
            CliError::Usage(format!(
                "unknown engine `{e}`; engines: {}",
                Engine::ALL
                    .iter()
                    .map(|e| e.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }),
    }
}

fn positive(flag: &str, n: &str) -> Result<u64, CliError> {
    n.parse::<u64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| CliError::Usage(format!("{flag} needs a positive number, got `{n}`")))
}

fn parse_matrix(rest: &[String]) -> Result<MatrixArgs, CliError> {
    let o = Options::parse(
        rest,
        &[
            "--design",
            "--scenario",
            "--set",
            "--dot",
            "--json",
            "--markdown",
            "--max-states",
            "--engine",
            "--executions",
            "--seed",
        ],
    )?;
    if let Some(extra) = o.positional.first() {
        return Err(CliError::Usage(format!(
            "`matrix` takes no positional arguments, got `{extra}`"
        )));
    }
    let format = match (o.flag("--json"), o.flag("--markdown")) {
        (true, true) => {
            return Err(CliError::Usage(
                "choose one of --json and --markdown".into(),
            ));
        }
        (true, false) => MatrixFormat::Json,
        (false, true) => MatrixFormat::Markdown,
        (false, false) => MatrixFormat::Text,
    };
    Ok(MatrixArgs {
        designs: o.values("--design"),
        scenarios: o.values("--scenario"),
        sets: o.sets()?,
        dot: o.single("--dot")?.map(PathBuf::from),
        format,
        engine: engine(&o)?,
        options: engine_options(&o)?,
    })
}

/// Flags with values (`--set X`, `--set=X`), boolean flags, and positionals.
struct Options {
    positional: Vec<String>,
    flags: Vec<(String, Option<String>)>,
}

impl Options {
    fn parse(args: &[String], known: &[&str]) -> Result<Options, CliError> {
        let boolean = ["--json", "--markdown"];
        let mut o = Options {
            positional: Vec::new(),
            flags: Vec::new(),
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if !a.starts_with("--") {
                o.positional.push(a.clone());
                continue;
            }
            let (name, inline) = match a.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (a.clone(), None),
            };
            if !known.contains(&name.as_str()) {
                return Err(CliError::Usage(format!(
                    "unknown option `{name}`; options here: {}",
                    known.join(", ")
                )));
            }
            if boolean.contains(&name.as_str()) {
                if inline.is_some() {
                    return Err(CliError::Usage(format!("`{name}` takes no value")));
                }
                o.flags.push((name, None));
                continue;
            }
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| CliError::Usage(format!("`{name}` needs a value")))?,
            };
            o.flags.push((name, Some(value)));
        }
        Ok(o)
    }

    fn positional<const N: usize>(&mut self, shape: &str) -> Result<[String; N], CliError> {
        let got = std::mem::take(&mut self.positional);
        got.try_into().map_err(|got: Vec<String>| {
            CliError::Usage(format!(
                "expected `faultline {shape}`, got {} arguments",
                got.len()
            ))
        })
    }

    fn values(&self, name: &str) -> Vec<String> {
        self.flags
            .iter()
            .filter(|(n, _)| n == name)
            .filter_map(|(_, v)| v.clone())
            .collect()
    }

    fn single(&self, name: &str) -> Result<Option<String>, CliError> {
        let mut v = self.values(name);
        if v.len() > 1 {
            return Err(CliError::Usage(format!("`{name}` given more than once")));
        }
        Ok(v.pop())
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|(n, _)| n == name)
    }

    fn sets(&self) -> Result<Vec<(String, String)>, CliError> {
        self.values("--set")
            .into_iter()
            .map(|s| match s.split_once('=') {
                Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
                _ => Err(CliError::Usage(format!(
                    "--set needs KNOB=VALUE, got `{s}`"
                ))),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn check_with_every_option() {
        let c = parse(&words(
            "check hold-io fork-fuse --set mapping=shared --set=order=file-first --dot out --json --max-states 10",
        ))
        .expect("parses");
        let Command::Check(c) = c else {
            panic!("not check: {c:?}")
        };
        assert_eq!(c.target.design, "hold-io");
        assert_eq!(
            c.target.sets,
            vec![
                ("mapping".into(), "shared".into()),
                ("order".into(), "file-first".into())
            ]
        );
        assert_eq!(c.dot, Some(PathBuf::from("out")));
        assert_eq!(c.format, Format::Json);
        assert_eq!(c.options.budget.max_states, 10);
        assert_eq!(c.engine, Engine::Native);
    }

    #[test]
    fn engine_executions_and_seed() {
        let c = parse(&words(
            "check hold-io fork-fuse --engine shuttle --executions 500 --seed 9",
        ))
        .expect("parses");
        let Command::Check(c) = c else {
            panic!("not check: {c:?}")
        };
        assert_eq!(c.engine, Engine::Shuttle);
        assert_eq!((c.options.max_executions, c.options.seed), (500, 9));
        let m = parse(&words("matrix --engine loom --scenario fork-fuse")).expect("parses");
        assert!(matches!(
            m,
            Command::Matrix(MatrixArgs {
                engine: Engine::Loom,
                ..
            })
        ));
        let r = parse(&words("replay hold-io fork-fuse --engine shuttle 01.2")).expect("parses");
        assert!(matches!(
            r,
            Command::Replay {
                engine: Engine::Shuttle,
                ..
            }
        ));
    }

    #[test]
    fn explain_and_report_parse() {
        let c = parse(&words(
            "explain hold-io fork-fuse --set evictions=1 --property deadlock --max-states 9",
        ));
        let Ok(Command::Explain {
            target,
            properties,
            budget,
        }) = c
        else {
            panic!("not explain: {c:?}")
        };
        assert_eq!(target.sets, vec![("evictions".into(), "1".into())]);
        assert_eq!(properties, vec![Property::Deadlock]);
        assert_eq!(budget.max_states, 9);
        let c = parse(&words(
            "report --out r --design upstream --scenario fork-fuse",
        ));
        let Ok(Command::Report(r)) = c else {
            panic!("not report: {c:?}")
        };
        assert_eq!(r.out, PathBuf::from("r"));
        assert_eq!(r.designs, vec!["upstream".to_string()]);
        assert_eq!(r.scenarios, vec!["fork-fuse".to_string()]);
        let c = parse(&words("check a b --format dot"));
        assert!(matches!(
            c,
            Ok(Command::Check(CheckArgs {
                format: Format::Dot,
                ..
            }))
        ));
    }

    #[test]
    fn bad_command_lines_are_one_line_usage_errors() {
        for bad in [
            "frobnicate",
            "check hold-io",
            "check a b c",
            "check a b --bogus",
            "check a b --set",
            "check a b --set novalue",
            "check a b --max-states 0",
            "check a b --max-states x",
            "check a b --json=yes",
            "check a b --dot x --dot y",
            "check a b --property nope",
            "check a b --engine spin",
            "check a b --executions 0",
            "check a b --seed -1",
            "replay a b t0 --engine loom",
            "matrix --engine spin",
            "list extra",
            "matrix extra",
            "matrix --json --markdown",
            "matrix --design",
            "matrix --bogus",
            "check a b --format svg",
            "check a b --format dot --json",
            "explain a",
            "explain a b --dot x",
            "report",
            "report --out",
            "report x --out y",
        ] {
            let e = parse(&words(bad)).expect_err(bad);
            assert!(!e.to_string().contains('\n'), "{bad}: {e}");
        }
    }
}
