//! The `faultline` command line: `list`, `matrix`, `check`, `explain`, `report`,
//! `replay`.
//!
//! | module | holds |
//! |---|---|
//! | `args` | parsing the command line into a validated `Command` |
//! | `matrix` | computing and printing the design x scenario matrix |
//! | `output` | a check's report as text or JSON |
//! | `format` | `--format text\|json\|dot` |
//! | `graphs` | the DOT graphs of a report's violations, named for files |
//! | `explain` | the 80-column text of the first violation |
//! | `report` | the HTML report |
//! | `list` | `faultline list` |
//! | `error` | everything that exits 2 |
//!
//! Exit codes: 0 every property holds, 1 a property is violated, 2 bad input or a model
//! error (one line on stderr), 3 inconclusive. `matrix` and `report` exit 0 once every
//! cell is decided (violations are their findings) and 3 otherwise.

mod args;
mod error;
mod explain;
mod format;
mod graphs;
mod list;
mod matrix;
mod output;
mod report;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use faultline_checker::{Engine, Property, replay, replay_shuttle, run_with_progress};
use faultline_traces::{Trace, trace_text};

use crate::args::{CheckArgs, Command, MatrixArgs, MatrixFormat, Target, USAGE};
use crate::error::CliError;
use crate::format::Format;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // A panic is a bug in faultline; still one line, never a backtrace.
        let _ = writeln!(std::io::stderr(), "faultline: internal error: {info}");
        std::process::exit(2);
    }));
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match args::parse(&argv).and_then(run) {
        Ok((code, out)) => {
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = std::io::stdout().lock().write_all(out.as_bytes());
            ExitCode::from(code)
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "faultline: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs a command; returns the exit code and what to print.
fn run(cmd: Command) -> Result<(u8, String), CliError> {
    match cmd {
        Command::Help => Ok((0, USAGE.to_string())),
        Command::Version => Ok((0, format!("faultline {}\n", env!("CARGO_PKG_VERSION")))),
        Command::List => Ok((0, list::text())),
        Command::Check(c) => check(c),
        Command::Matrix(m) => matrix_cmd(&m),
        Command::Explain {
            target,
            properties,
            budget,
        } => explain::run(&target, properties, &budget),
        Command::Report(r) => report::run(&r),
        Command::Replay {
            target,
            token,
            engine,
        } => replay_cmd(&target, &token, engine),
    }
}

fn build(t: &Target) -> Result<faultline_models::Model, CliError> {
    Ok(faultline_models::build(&t.design, &t.scenario, &t.sets)?)
}

fn check(c: CheckArgs) -> Result<(u8, String), CliError> {
    let model = build(&c.target)?;
    let props = if c.properties.is_empty() {
        matrix::properties(model.scenario)
    } else {
        c.properties
    };
    // Progress goes to stderr only when a person is watching it.
    let watching = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut progress = |s: &faultline_checker::Stats| {
        if watching {
            let _ = write!(std::io::stderr(), "\rfaultline: {s}   ");
            shown = true;
        }
    };
    let report = run_with_progress(c.engine, &model.machine, &props, &c.options, &mut progress)?;
    if shown {
        let _ = writeln!(std::io::stderr());
    }
    let dots = match &c.dot {
        Some(dir) => output::write_dots(&model, &report, dir)?,
        None => Vec::new(),
    };
    let out = match c.format {
        Format::Json => {
            let mut s = output::json(&model, &report, &dots).to_string();
            s.push('\n');
            s
        }
        Format::Dot => output::dot(&model, &report),
        Format::Text => output::text(&model, &report, &dots),
    };
    let code = match report.overall() {
        "violated" => 1,
        "inconclusive" => 3,
        _ => 0,
    };
    Ok((code, out))
}

fn matrix_cmd(a: &MatrixArgs) -> Result<(u8, String), CliError> {
    let sel = matrix::Selection {
        designs: &a.designs,
        scenarios: &a.scenarios,
        sets: &a.sets,
        engine: a.engine,
        options: a.options,
    };
    let m = matrix::compute(&sel)?;
    let mut dots = Vec::new();
    if let Some(dir) = &a.dot {
        for c in &m.cells {
            dots.extend(output::write_dots(&c.model, &c.report, dir)?);
        }
    }
    let mut out = match a.format {
        MatrixFormat::Text => matrix::text(&m),
        MatrixFormat::Markdown => matrix::markdown(&m),
        MatrixFormat::Json => {
            let mut v = matrix::json(&m);
            v["dot_files"] = dots.clone().into();
            let mut s = v.to_string();
            s.push('\n');
            s
        }
    };
    if a.format != MatrixFormat::Json {
        for f in &dots {
            out += &format!("wrote {f}\n");
        }
    }
    // Violations are findings shown in the table; only an undecided cell is not a
    // complete answer.
    Ok((if m.inconclusive() { 3 } else { 0 }, out))
}

fn replay_cmd(target: &Target, token: &str, engine: Engine) -> Result<(u8, String), CliError> {
    let model = build(target)?;
    let steps = match engine {
        // A shuttle schedule is re-run through shuttle, then replayed natively.
        Engine::Shuttle => replay_shuttle(&model.machine, token)?,
        _ => Trace::parse_token(token)?,
    };
    let r = replay(&model.machine, &steps, Property::ALL).map_err(CliError::Replay)?;
    let mut out = trace_text(&model.machine, &r.trace, 100);
    if let Some(start) = r.cycle_from {
        out += &format!(
            "\nsteps {}..{} return to the state after step {start}: a cycle\n",
            start + 1,
            r.trace.len()
        );
    }
    if r.violated.is_empty() {
        out += "\nthe trace violates no property\n";
        Ok((0, out))
    } else {
        let ids: Vec<&str> = r.violated.iter().map(|p| p.id()).collect();
        out += &format!("\nthe trace violates: {}\n", ids.join(", "));
        Ok((1, out))
    }
}
