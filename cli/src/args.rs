//! Command-line parsing: raw words into a validated [`Command`].

use std::path::PathBuf;

use faultline_checker::{Engine, Options as EngineOptions, Property};

use crate::error::CliError;

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
    /// Replay a counterexample token (or, with `--engine shuttle`, a shuttle schedule).
    Replay {
        /// Design, scenario and knobs.
        target: Target,
        /// The token or schedule.
        token: String,
        /// `native` for a token, `shuttle` for a schedule.
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
    /// Print JSON instead of text.
    pub json: bool,
    /// The engine and its limits (`--engine`, `--max-states`, `--executions`,
    /// `--seed`).
    pub engine: Engine,
    /// Budgets and seed.
    pub options: EngineOptions,
}

/// The usage text.
pub(crate) const USAGE: &str = "\
faultline: a model checker for Linux mm lock protocols (mmap_lock, per-VMA locks, folio I/O)

usage:
  faultline list
  faultline check DESIGN SCENARIO [--set KNOB=VALUE]... [--property P]... [--dot DIR]
                  [--json] [--max-states N] [--engine native|loom|shuttle]
                  [--executions N] [--seed N]
  faultline replay DESIGN SCENARIO TOKEN [--set KNOB=VALUE]...
  faultline replay DESIGN SCENARIO --engine shuttle SCHEDULE [--set KNOB=VALUE]...
  faultline help | --help | --version

exit codes: 0 every property holds, 1 a property is violated, 2 bad input or a model
error, 3 inconclusive (a budget stopped the search)
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
            "unknown command `{other}`; commands: list, check, replay, help"
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
            "--engine",
            "--executions",
            "--seed",
        ],
    )?;
    let [design, scenario] = o.positional::<2>("check DESIGN SCENARIO")?;
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
    let properties = unique;
    let mut options = EngineOptions::default();
    if let Some(n) = o.single("--max-states")? {
        options.budget.max_states = positive("--max-states", &n)?;
    }
    if let Some(n) = o.single("--executions")? {
        options.max_executions = positive("--executions", &n)?;
    }
    if let Some(n) = o.single("--seed")? {
        options.seed = n
            .parse::<u64>()
            .map_err(|_| CliError::Usage(format!("--seed needs a number, got `{n}`")))?;
    }
    Ok(CheckArgs {
        target: Target {
            design,
            scenario,
            sets: o.sets()?,
        },
        properties,
        dot: o.single("--dot")?.map(PathBuf::from),
        json: o.flag("--json"),
        engine: engine(&o)?,
        options,
    })
}

/// `--engine`, native when absent.
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

/// Flags with values (`--set X`, `--set=X`), boolean flags, and positionals.
struct Options {
    positional: Vec<String>,
    flags: Vec<(String, Option<String>)>,
}

impl Options {
    fn parse(args: &[String], known: &[&str]) -> Result<Options, CliError> {
        let boolean = ["--json"];
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
        assert!(c.json);
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
            "list extra",
        ] {
            let e = parse(&words(bad)).expect_err(bad);
            assert!(!e.to_string().contains('\n'), "{bad}: {e}");
        }
    }
}
