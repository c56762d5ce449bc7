//! Rendering a check's report as text, JSON, DOT or a splat, each violation from its
//! [`faultline::Evidence`] (built once per report by [`evidence`]).

use std::fmt::Write;
use std::path::Path;

use faultline::Evidence;
use faultline_checker::{Engine, Property, Report, Verdict};
use faultline_models::Model;
use faultline_traces::{SplatHead, Token, trace_json, wait_for_json};
use serde_json::{Map, Value, json};

use crate::error::CliError;
use crate::graphs::graphs;

/// Text width of traces printed to the terminal.
const WIDTH: usize = 100;

/// `--set` arguments for the knobs that differ from their defaults.
pub(crate) fn set_args(model: &Model) -> String {
    let defs = &model.knob_defs;
    model
        .knobs
        .pairs()
        .filter(|(name, value)| defs.iter().any(|d| d.name == *name && d.default != *value))
        .map(|(name, value)| format!(" --set {name}={value}"))
        .collect()
}

/// `--file` arguments for a design or scenario from a user file (a built-in file's
/// name is its bare file name in `faultline_models::CATALOG_FILES`).
pub(crate) fn file_args(model: &Model) -> String {
    let mut files: Vec<&str> = Vec::new();
    for f in [model.design.file.as_str(), model.scenario.file.as_str()] {
        let builtin = faultline_models::CATALOG_FILES.iter().any(|(n, _)| *n == f);
        if !builtin && !files.contains(&f) {
            files.push(f);
        }
    }
    files
        .iter()
        .map(|f| format!(" --file {}", crate::escape::shell(f)))
        .collect()
}

/// The command that replays a counterexample (its token carries the model hash).
pub(crate) fn replay_command(model: &Model, token: &Token) -> String {
    format!(
        "faultline replay {} {}{}{} {token}",
        model.design.id,
        model.scenario.id,
        file_args(model),
        set_args(model),
    )
}

/// What a reply on a list needs to reproduce a report: the faultline version and an
/// FNV-1a hash of each `.fl` file the design and scenario come from.
pub(crate) fn provenance(model: &Model) -> String {
    let mut files: Vec<&str> = vec![model.design.file.as_str()];
    if model.scenario.file != model.design.file {
        files.push(model.scenario.file.as_str());
    }
    let hashes: Vec<String> = files
        .iter()
        .map(|f| {
            let text = faultline_models::CATALOG_FILES
                .iter()
                .find(|(n, _)| n == f)
                .map(|(_, t)| (*t).to_string())
                .or_else(|| faultline_lang::read_text(Path::new(f)).ok());
            match text {
                Some(t) => format!("{} {:08x}", crate::escape::shell(f), fnv(&t) >> 32),
                None => format!("{} (unreadable)", crate::escape::shell(f)),
            }
        })
        .collect();
    format!(
        "faultline {}; files {}",
        env!("CARGO_PKG_VERSION"),
        hashes.join(", ")
    )
}

/// FNV-1a: stable across runs and platforms, unlike std's SipHash keys.
fn fnv(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The command that re-runs a shuttle schedule.
pub(crate) fn shuttle_replay_command(model: &Model, schedule: &str) -> String {
    format!(
        "faultline replay {} {}{}{} --engine shuttle {schedule}",
        model.design.id,
        model.scenario.id,
        file_args(model),
        set_args(model)
    )
}

/// The evidence of every violation of `report`, built once for every renderer.
pub(crate) fn evidence(model: &Model, report: &Report) -> Vec<Evidence> {
    Evidence::of_report(&model.machine, model.knobs.pairs(), report)
}

/// The evidence for `p` among `evidence`.
pub(crate) fn of(evidence: &[Evidence], p: Property) -> Option<&Evidence> {
    evidence.iter().find(|e| e.property == p)
}

/// The report as text.
pub(crate) fn text(
    model: &Model,
    report: &Report,
    evidence: &[Evidence],
    dot_files: &[String],
) -> String {
    let mut s = String::new();
    let knobs: Vec<String> = model
        .knobs
        .pairs()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(s, "design    {}: {}", model.design.id, model.design.title);
    let _ = writeln!(
        s,
        "scenario  {}: {}",
        model.scenario.id, model.scenario.title
    );
    // Knobs wrap so the header stays within the trace's width.
    let mut line = String::from("knobs    ");
    for k in knobs {
        if line.len() + 1 + k.len() > WIDTH {
            let _ = writeln!(s, "{line}");
            line = String::from("         ");
        }
        line.push(' ');
        line.push_str(&k);
    }
    let _ = writeln!(s, "{line}");
    let _ = writeln!(s, "engine    {}: {}", report.engine, report.stats);
    for r in &report.results {
        s.push('\n');
        match &r.verdict {
            Verdict::Holds => {
                let _ = match report.engine {
                    Engine::Native => writeln!(
                        s,
                        "{}: holds (all {} reachable states explored)",
                        r.property, report.stats.states
                    ),
                    engine => writeln!(
                        s,
                        "{}: holds ({engine}, exhaustive: {} executions reached all {} reachable \
                         states)",
                        r.property, report.stats.executions, report.stats.states
                    ),
                };
            }
            Verdict::Inconclusive(limit) => {
                let _ = writeln!(s, "{}: INCONCLUSIVE: {limit}", r.property);
            }
            Verdict::Violated(_) => {
                let Some(e) = of(evidence, r.property) else {
                    continue;
                };
                let _ = writeln!(
                    s,
                    "{}: VIOLATED ({}, {} steps, found by {})\n",
                    r.property,
                    e.kind(),
                    e.trace.len(),
                    e.engine
                );
                s += &e.text(&model.machine, WIDTH);
                let _ = writeln!(s, "\nreplay: {}", replay_command(model, &e.token));
                if let Some(schedule) = &e.schedule {
                    let _ = writeln!(
                        s,
                        "replay the shuttle schedule: {}",
                        shuttle_replay_command(model, schedule)
                    );
                }
            }
        }
    }
    for f in dot_files {
        let _ = writeln!(s, "wrote {f}");
    }
    s
}

/// Where each knob value in force comes from, for the values whose knob cites one.
fn knob_sources(model: &Model) -> Map<String, Value> {
    model
        .knobs
        .pairs()
        .zip(&model.knob_defs)
        .filter_map(|((k, v), d)| Some((k.to_string(), Value::from(d.source_of(v)?))))
        .collect()
}

/// The report as one JSON object.
pub(crate) fn json(
    model: &Model,
    report: &Report,
    evidence: &[Evidence],
    dot_files: &[String],
) -> Value {
    let knobs: Map<String, Value> = model
        .knobs
        .pairs()
        .map(|(k, v)| (k.to_string(), Value::from(v)))
        .collect();
    let results: Vec<Value> = report
        .results
        .iter()
        .map(|r| {
            let mut o = json!({ "property": r.property.id(), "status": r.verdict.status().id() });
            match &r.verdict {
                Verdict::Violated(_) => {
                    if let Some(e) = of(evidence, r.property) {
                        o["trace"] = trace_json(&model.machine, &e.trace);
                        if let Some(l) = &e.lasso {
                            o["cycle_from"] = Value::from(l.loop_start());
                        }
                        o["wait_for"] = wait_for_json(&e.wait_for);
                        if let Some(k) = &e.kill {
                            o["kill"] = k.json();
                        }
                        o["replay"] = Value::from(replay_command(model, &e.token));
                        if let Some(schedule) = &e.schedule {
                            o["shuttle_schedule"] = Value::from(schedule.as_str());
                            o["shuttle_replay"] =
                                Value::from(shuttle_replay_command(model, schedule));
                        }
                    }
                }
                Verdict::Inconclusive(limit) => o["reason"] = Value::from(limit.to_string()),
                Verdict::Holds => {}
            }
            o
        })
        .collect();
    let st = &report.stats;
    json!({
        "design": model.design.id,
        "design_source": model.design.source,
        "scenario": model.scenario.id,
        "scenario_source": model.scenario.source,
        "knobs": knobs,
        "knob_sources": knob_sources(model),
        "engine": report.engine.id(),
        "status": report.overall().id(),
        "results": results,
        "stats": {
            "states": st.states,
            "transitions": st.transitions,
            "depth": st.depth,
            "seconds": st.elapsed.as_secs_f64(),
            "states_per_sec": st.states_per_sec().round(),
            "bytes": st.bytes,
            "executions": st.executions,
            "executions_per_sec": st.executions_per_sec().round(),
            "reductions": {
                "por": st.reductions.por,
                "symmetry_group": st.reductions.symmetry,
                "skipped": st.reductions.skipped,
            },
            "full_states": st.full_states,
        },
        "dot_files": dot_files,
    })
}

/// Writes every graph of every violation into `dir` (see [`graphs`]): the wait-for
/// graph as `DESIGN.SCENARIO.PROPERTY.dot`, the trace graph as `....trace.dot`, a
/// lasso as `....lasso.dot`; returns the paths written.
pub(crate) fn write_dots(
    model: &Model,
    evidence: &[Evidence],
    dir: &Path,
) -> Result<Vec<String>, CliError> {
    ensure_dir(dir)?;
    let stem = format!("{}.{}", model.design.id, model.scenario.id);
    let mut written = Vec::new();
    for g in graphs(model, evidence, &stem) {
        let path = dir.join(&g.file);
        crate::write::write_file(&path, g.dot.as_bytes())?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// `--format dot`: the DOT of every graph of every violation, one after another.
pub(crate) fn dot(model: &Model, evidence: &[Evidence]) -> String {
    let stem = format!("{}.{}", model.design.id, model.scenario.id);
    graphs(model, evidence, &stem)
        .into_iter()
        .map(|g| format!("// {}\n{}", g.file, g.dot))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Creates `dir` if missing; an existing file there is "not a directory", not
/// `create_dir_all`'s "File exists".
pub(crate) fn ensure_dir(dir: &Path) -> Result<(), CliError> {
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::NotADirectory(dir.display().to_string()));
    }
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))
}

/// `--format splat`: each violation as a lockdep-style report, one after another.
pub(crate) fn splat(model: &Model, evidence: &[Evidence]) -> String {
    // `D2` of `D2, Matthew Wilcox: ...`, `H1` of `H1: fork vs ...`.
    let key = |title: &str| title.split([',', ':']).next().unwrap_or("").to_string();
    let mut out = Vec::new();
    for e in evidence {
        let head = SplatHead {
            model: format!(
                "{} ({}) x {} ({})",
                model.design.id,
                key(model.design.title),
                model.scenario.id,
                key(model.scenario.title)
            ),
            property: e.property.id().to_string(),
            knobs: model
                .knobs
                .pairs()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            replay: replay_command(model, &e.token),
            kill: e.kill.clone(),
        };
        out.push(
            faultline_traces::splat(&model.machine, &e.trace, &e.wait_for, &head)
                + &format!("{}\n", provenance(model)),
        );
    }
    out.join("\n")
}

/// The error for a file or directory that cannot be written.
pub(crate) fn write_error(path: &Path, source: std::io::Error) -> CliError {
    CliError::Write {
        path: path.display().to_string(),
        source,
    }
}
