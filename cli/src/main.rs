//! The `faultline` command line: `list`, `check`, `replay`.
//!
//! Exit codes: 0 every property holds, 1 a property is violated, 2 bad input or a model
//! error (one line on stderr), 3 inconclusive.

mod args;
mod error;
mod list;
mod output;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use faultline_checker::{Engine, Property, replay, replay_shuttle, run_with_progress};
use faultline_traces::{Trace, trace_text};

use crate::args::{CheckArgs, Command, Target, USAGE};
use crate::error::CliError;

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
        Property::ALL.to_vec()
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
    let out = if c.json {
        let mut s = output::json(&model, &report, &dots).to_string();
        s.push('\n');
        s
    } else {
        output::text(&model, &report, &dots)
    };
    let code = match report.overall() {
        "violated" => 1,
        "inconclusive" => 3,
        _ => 0,
    };
    Ok((code, out))
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
    if r.violated.is_empty() {
        out += "\nthe final state violates no property\n";
        Ok((0, out))
    } else {
        let ids: Vec<&str> = r.violated.iter().map(|p| p.id()).collect();
        out += &format!("\nthe final state violates: {}\n", ids.join(", "));
        Ok((1, out))
    }
}
