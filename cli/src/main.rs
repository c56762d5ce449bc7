//! The `faultline` command line: `list`, `matrix`, `merge`, `check`, `cluster`, `explain`, `report`,
//! `replay`, `completions`, `man`.
//!
//! | module | holds |
//! |---|---|
//! | `args` | the command line as a clap derive tree, one file per subcommand |
//! | `man` | `faultline completions SHELL` and `faultline man` |
//! | `matrix` | computing and printing the design x scenario matrix |
//! | `merge` | `faultline merge`: shards of a matrix joined into its table |
//! | `output` | a check's report as text, JSON, DOT or a lockdep-style splat |
//! | `format` | `--format text\|json\|dot\|splat` |
//! | `graphs` | the DOT graphs of a report's violations, named for files |
//! | `explain` | the 80-column text of the first violation |
//! | `report` | the HTML report |
//! | `repro` | `faultline repro`: the real-kernel harness (`repro/run`) and the model's predictions |
//! | `list` | `faultline list` |
//! | `catalog` | the session: the built-in catalog plus the `--file F.fl`s |
//! | `lang` | `faultline test` and `faultline show` over `.fl` files |
//! | `progress` | the progress line on stderr (indicatif) |
//! | `error` | everything that exits 2 |
//! | `write` | output files: temp file and rename, never through a symlink |
//! | `escape` | user text in messages and commands: control characters, shell quoting |
//!
//! Exit codes: 0 every property holds, 1 a property is violated, 2 bad input or a model
//! error (one line on stderr), 3 inconclusive. `matrix` and `report` exit 0 once every
//! cell is decided (violations are their findings) and 3 otherwise.

mod args;
mod catalog;
mod error;
mod escape;
mod explain;
mod export;
mod format;
mod graphs;
mod lang;
mod list;
mod man;
mod matrix;
mod merge;
mod output;
mod progress;
mod report;
mod repro;
mod write;

use std::io::Write;
use std::process::ExitCode;

use faultline_checker::{Checker, Engine, Property, Status, replay, replay_shuttle};
use faultline_traces::{Lasso, Token, TokenError, Trace, trace_text};

use crate::args::{
    CheckArgs, ClusterArgs, Command, MatrixArgs, MatrixFormat, ModelArgs, OutputArgs, Parsed,
    ReplayArgs, Shard, TargetArgs,
};
use crate::error::CliError;
use crate::format::Format;
use crate::progress::Progress;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // A panic is a bug in faultline; still one line, never a backtrace.
        let _ = writeln!(std::io::stderr(), "faultline: internal error: {info}");
        std::process::exit(2);
    }));
    let result = match args::parse(std::env::args_os().skip(1)) {
        Parsed::Run(cli) => run(cli.command, &Progress::new(cli.quiet)),
        Parsed::Print(text) => Ok((0, text)),
        Parsed::Usage(line) => Err(CliError::Parse(line)),
    };
    match result {
        Ok((code, out)) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => ExitCode::from(code),
                // A closed pipe (`| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(code),
                Err(e) => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "faultline: error: cannot write stdout: {e}"
                    );
                    ExitCode::from(2)
                }
            }
        }
        Err(e) => {
            // A `.fl` diagnostic is rendered over several lines on purpose.
            let text = match e {
                CliError::File(_) => e.to_string(),
                _ => escape::controls(&e.to_string()),
            };
            let _ = writeln!(std::io::stderr(), "faultline: error: {text}");
            ExitCode::from(2)
        }
    }
}

/// Runs a command; returns the exit code and what to print.
fn run(cmd: Command, progress: &Progress) -> Result<(u8, String), CliError> {
    match cmd {
        Command::List(l) => Ok((0, list::text(catalog::session(&l.files.files)?.catalog()))),
        Command::Check(c) => check(c, progress),
        Command::Cluster(c) => cluster(c),
        Command::Matrix(m) => matrix_cmd(&m, progress),
        Command::Merge(m) => merge::run(&m),
        Command::Explain(e) => explain::run(&e, progress),
        Command::Report(r) => report::run(&r, progress),
        Command::Replay(r) => replay_cmd(&r),
        Command::Test(t) => lang::test(&t),
        Command::Show(s) => lang::show(&s),
        Command::Repro(r) => repro::run(&r),
        Command::Export(e) => export::run(&e),
        Command::Completions { shell } => Ok((0, man::completions(shell))),
        Command::Man { command } => Ok((0, man::page(command.as_deref())?)),
    }
}

/// Builds the model named on the command line.
fn build(t: &ModelArgs) -> Result<faultline_models::Model, CliError> {
    let fl = catalog::session(&t.files.files)?;
    Ok(fl.catalog().build(&t.design, &t.scenario, &t.sets)?)
}

/// The model and properties named on the command line (the scenario's properties
/// when none is given).
fn target(t: &TargetArgs) -> Result<(faultline_models::Model, Vec<Property>), CliError> {
    let props = t.properties.list()?;
    let model = build(&t.model)?;
    let props = if props.is_empty() {
        matrix::properties(&model.scenario)
    } else {
        props
    };
    Ok((model, props))
}

fn check(c: CheckArgs, progress: &Progress) -> Result<(u8, String), CliError> {
    let (model, props) = target(&c.target)?;
    let (options, memory) = c.engine.options(&c.budget);
    progress.budget(&options.budget);
    let mut shown = |s: &faultline_checker::Stats| progress.stats(s);
    let report = Checker::new(&model.machine)
        .engine(c.engine.engine)
        .properties(&props)
        .options(&options)
        .progress(&mut shown)
        .run()?;
    progress.finish();
    let out = render(&model, &report, &c.output, &memory)?;
    Ok((report.overall().exit_code(), out))
}

/// A check's report as `format`, its graphs written to `dot`.
fn render(
    model: &faultline_models::Model,
    report: &faultline_checker::Report,
    output: &OutputArgs,
    memory: &faultline_checker::MemoryBudget,
) -> Result<String, CliError> {
    let format = output.format();
    let evidence = output::evidence(model, report);
    let dots = match output.dot.as_deref() {
        Some(dir) => output::write_dots(model, &evidence, dir)?,
        None => Vec::new(),
    };
    let mut out = match format {
        Format::Json => {
            let mut s = output::json(model, report, &evidence, &dots).to_string();
            s.push('\n');
            s
        }
        Format::Dot => output::dot(model, &evidence),
        Format::Splat => output::splat(model, &evidence),
        Format::Text => output::text(model, report, &evidence, &dots),
    };
    if format == Format::Text && report.stopped_by_memory() {
        out += &format!("\n{memory}\n");
    }
    Ok(out)
}

/// `faultline cluster`: `check` on timely's workers; process 0 prints the report,
/// every process exits with its code.
fn cluster(c: ClusterArgs) -> Result<(u8, String), CliError> {
    let (model, props) = target(&c.target)?;
    let workers = usize::from(c.workers);
    let (options, memory) = c.budget.machine(Some(c.workers));
    let cluster = faultline_cluster::Cluster::new(
        workers,
        usize::from(c.process),
        usize::from(c.processes),
        c.hostfile.as_deref(),
    )?;
    let machine = std::sync::Arc::new(model.machine.clone());
    match faultline_cluster::run(&cluster, machine, &props, c.reduce, options.budget)? {
        faultline_cluster::Outcome::Report(report) => {
            let out = render(&model, &report, &c.output, &memory)?;
            Ok((report.overall().exit_code(), out))
        }
        faultline_cluster::Outcome::Peer(code) => Ok((code, String::new())),
    }
}

fn matrix_cmd(a: &MatrixArgs, progress: &Progress) -> Result<(u8, String), CliError> {
    let fl = catalog::session(&a.select.files.files)?;
    let sel = matrix::Selection {
        catalog: fl.catalog(),
        designs: &a.select.designs,
        scenarios: &a.select.scenarios,
        sets: &a.select.sets,
        engine: a.engine.engine,
        options: {
            let options = a.engine.options(&a.budget).0;
            progress.budget(&options.budget);
            options
        },
        progress,
        shard: a.shard.unwrap_or(Shard::ALL),
    };
    let m = matrix::compute(&sel)?;
    progress.finish();
    let mut dots = Vec::new();
    if let Some(dir) = &a.dot {
        for c in &m.cells {
            let evidence = output::evidence(&c.model, &c.report);
            dots.extend(output::write_dots(&c.model, &evidence, dir)?);
        }
    }
    let format = a.format();
    let mut out = match format {
        MatrixFormat::Text => matrix::text(&m.table()),
        MatrixFormat::Markdown => matrix::markdown(&m.table()),
        MatrixFormat::Json => {
            let mut v = matrix::json(&m, merge::options(a));
            v["dot_files"] = dots.clone().into();
            let mut s = v.to_string();
            s.push('\n');
            s
        }
    };
    if format != MatrixFormat::Json {
        for f in &dots {
            out += &format!("wrote {f}\n");
        }
    }
    // A shard's undecided cells make the merged table's exit code too.
    let undecided = m
        .cells
        .iter()
        .any(|c| c.report.overall() == Status::Inconclusive);
    Ok((if undecided { 3 } else { 0 }, out))
}

/// The steps of a replay token `STEPS@HASH`, refused if the hash names another model
/// ([`Token::check`]; a hashless token, written by hand, is taken as is). A shuttle
/// schedule has no hash.
fn checked_token<'a>(
    token: &'a str,
    model: &faultline_models::Model,
    engine: Engine,
) -> Result<&'a str, CliError> {
    if engine == Engine::Shuttle {
        return Ok(token);
    }
    Token::check(token, &model.machine, model.knobs.pairs()).map_err(|e| {
        let why = match e {
            TokenError::OtherModel { theirs, ours } => format!(
                "the token was recorded on another model (hash {theirs}; {} {} with these knobs is {ours}): check the design, scenario, --set and files",
                model.design.id, model.scenario.id
            ),
            other => other.to_string(),
        };
        CliError::Usage(why, "faultline help replay")
    })
}

fn replay_cmd(a: &ReplayArgs) -> Result<(u8, String), CliError> {
    let engine = a.engine()?;
    let model = build(&a.model)?;
    let token = checked_token(a.token.as_str(), &model, engine)?;
    let steps = match engine {
        // A shuttle schedule is re-run through shuttle, then replayed natively.
        Engine::Shuttle => replay_shuttle(&model.machine, token)?,
        // A lasso `PREFIX|CYCLE` (as the README and `Lasso::token` write it) must
        // return to where its cycle starts.
        _ if token.contains('|') => {
            let (prefix, cycle) = Lasso::parse_token(token)?;
            Lasso::replay(&model.machine, &prefix, &cycle)?;
            prefix.into_iter().chain(cycle).collect()
        }
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
