//! Rendering a check's report as text or JSON, and writing DOT files.

use std::fmt::Write;
use std::path::Path;

use faultline_checker::{Counterexample, Property, Report, Verdict};
use faultline_models::{Fate, Kernel, Kill, Model, Sleep};
use faultline_traces::{SplatHead, trace_json, trace_text, wait_for_json, wait_for_text};
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

/// The command that replays a counterexample.
pub(crate) fn replay_command(model: &Model, token: &str) -> String {
    format!(
        "faultline replay {} {}{}{} {token}@{}",
        model.design.id,
        model.scenario.id,
        file_args(model),
        set_args(model),
        model_hash(model)
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

/// A short hash of the compiled model (programs, VMAs, folios, admission, reclaim) and
/// its knob values: a replay token carries it, so a token replayed against another
/// scenario, knob set or file is refused instead of meaning something else.
pub(crate) fn model_hash(model: &Model) -> String {
    let m = &model.machine;
    let text = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        m.threads(),
        m.vmas(),
        m.folios(),
        m.admission(),
        m.reclaim(),
        model.knobs.pairs().collect::<Vec<_>>()
    );
    // FNV-1a: stable across runs and platforms, unlike std's SipHash keys.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:08x}", (h ^ (h >> 32)) as u32)
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

/// `kill -9` of the mm's process and hung_task at a deadlock's final state
/// ([`faultline_models::kill`]), on the kernel the model follows; `None` for other
/// properties.
pub(crate) fn kill_of(model: &Model, property: Property, cx: &Counterexample) -> Option<Kill> {
    (property == Property::Deadlock)
        .then(|| faultline_models::kill(&model.machine, cx.trace.last(), Kernel::of(&model.knobs)))
}

/// Which kernel's sleeps the answer follows, and why that one.
fn kernel_note(model: &Model, k: &Kill) -> String {
    if model.knobs.pairs().any(|(name, _)| name == "kernel") {
        format!(
            "waits and sleeps as in kernel {}, the kernel knob",
            k.kernel.name()
        )
    } else {
        format!(
            "waits and sleeps as in kernel {}: the scenario has no kernel knob",
            k.kernel.name()
        )
    }
}

fn fate_word(f: Fate) -> &'static str {
    match f {
        Fate::Woken => "woken",
        Fate::Freed => "freed",
        Fate::Stays => "stays",
    }
}

/// The kill -9 / hung_task block under a deadlock, wrapped to `width` columns.
pub(crate) fn kill_text(model: &Model, k: &Kill, width: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "kill -9 of the process: {}",
        if k.ends { "ends it" } else { "does not end it" }
    );
    let _ = writeln!(
        s,
        "hung_task: {}",
        if k.hung_task {
            "reports it (a stuck thread sleeps uninterruptibly)"
        } else {
            "silent (every stuck thread sleeps killably)"
        }
    );
    let _ = writeln!(s, "({})", kernel_note(model, k));
    for t in &k.threads {
        let head = format!(
            "{} {} {}: {}; {}",
            t.tid,
            t.name,
            fate_word(t.fate),
            t.at,
            t.why
        );
        // Continuation lines are indented under the thread.
        let mut line = String::from(" ");
        for word in head.split_whitespace() {
            if line.len() > 6 && line.len() + 1 + word.len() > width {
                let _ = writeln!(s, "{line}");
                line = String::from("     ");
            }
            line.push(' ');
            line.push_str(word);
        }
        let _ = writeln!(s, "{line}");
    }
    s
}

/// The kill -9 / hung_task judgement as JSON.
pub(crate) fn kill_json(model: &Model, k: &Kill) -> Value {
    let threads: Vec<Value> = k
        .threads
        .iter()
        .map(|t| {
            json!({
                "thread": t.tid.to_string(),
                "name": t.name,
                "process": match t.process {
                    faultline_protocol::Process::Mm => "mm",
                    faultline_protocol::Process::Other => "other",
                },
                "at": t.at,
                "wait": t.wait.map(|w| json!({
                    "function": w.function,
                    "sleep": match w.sleep {
                        Sleep::Killable => "killable",
                        Sleep::Uninterruptible => "uninterruptible",
                    },
                })),
                "fate": fate_word(t.fate),
                "why": t.why,
            })
        })
        .collect();
    json!({
        "kernel": k.kernel.name(),
        "kernel_knob": model.knobs.pairs().any(|(name, _)| name == "kernel"),
        "ends": k.ends,
        "hung_task": k.hung_task,
        "threads": threads,
    })
}

/// The report as text.
pub(crate) fn text(model: &Model, report: &Report, dot_files: &[String]) -> String {
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
                    "native" => writeln!(
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
            Verdict::Violated(cx) => {
                // Only the breadth-first native search guarantees a shortest one, and
                // only without partial-order reduction (symmetry keeps depths).
                let kind = match report.engine {
                    "native" if !report.stats.reductions.por => "shortest counterexample",
                    _ => "counterexample",
                };
                let _ = writeln!(
                    s,
                    "{}: VIOLATED ({kind}, {} steps, found by {})\n",
                    r.property,
                    cx.trace.len(),
                    report.engine
                );
                s += &trace_text(&model.machine, &cx.trace, WIDTH);
                if let Some(start) = cx.cycle_from {
                    let _ = writeln!(
                        s,
                        "\nsteps {}..{} return to the state after step {start}: a fair cycle \
                         that repeats forever",
                        start + 1,
                        cx.trace.len()
                    );
                }
                s.push('\n');
                s += &wait_for_text(&crate::graphs::waits(model, cx));
                if let Some(k) = kill_of(model, r.property, cx) {
                    s.push('\n');
                    s += &kill_text(model, &k, WIDTH);
                }
                let _ = writeln!(s, "\nreplay: {}", replay_command(model, &cx.trace.token()));
                if let Some(schedule) = &cx.schedule {
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

/// The report as one JSON object.
pub(crate) fn json(model: &Model, report: &Report, dot_files: &[String]) -> Value {
    let knobs: Map<String, Value> = model
        .knobs
        .pairs()
        .map(|(k, v)| (k.to_string(), Value::from(v)))
        .collect();
    let results: Vec<Value> = report
        .results
        .iter()
        .map(|r| {
            let mut o = json!({ "property": r.property.id(), "status": r.verdict.status() });
            match &r.verdict {
                Verdict::Violated(cx) => {
                    o["trace"] = trace_json(&model.machine, &cx.trace);
                    if let Some(start) = cx.cycle_from {
                        o["cycle_from"] = Value::from(start);
                    }
                    o["wait_for"] = wait_for_json(&crate::graphs::waits(model, cx));
                    if let Some(k) = kill_of(model, r.property, cx) {
                        o["kill"] = kill_json(model, &k);
                    }
                    o["replay"] = Value::from(replay_command(model, &cx.trace.token()));
                    if let Some(schedule) = &cx.schedule {
                        o["shuttle_schedule"] = Value::from(schedule.as_str());
                        o["shuttle_replay"] = Value::from(shuttle_replay_command(model, schedule));
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
        "scenario": model.scenario.id,
        "knobs": knobs,
        "engine": report.engine,
        "status": report.overall(),
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
    report: &Report,
    dir: &Path,
) -> Result<Vec<String>, CliError> {
    ensure_dir(dir)?;
    let stem = format!("{}.{}", model.design.id, model.scenario.id);
    let mut written = Vec::new();
    for g in graphs(model, report, &stem) {
        let path = dir.join(&g.file);
        crate::write::write_file(&path, g.dot.as_bytes())?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// `--format dot`: the DOT of every graph of every violation, one after another.
pub(crate) fn dot(model: &Model, report: &Report) -> String {
    let stem = format!("{}.{}", model.design.id, model.scenario.id);
    graphs(model, report, &stem)
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
pub(crate) fn splat(model: &Model, report: &Report) -> String {
    // `D2` of `D2, Matthew Wilcox: ...`, `H1` of `H1: fork vs ...`.
    let key = |title: &str| title.split([',', ':']).next().unwrap_or("").to_string();
    let head = |property: &str| SplatHead {
        model: format!(
            "{} ({}) x {} ({})",
            model.design.id,
            key(model.design.title),
            model.scenario.id,
            key(model.scenario.title)
        ),
        property: property.to_string(),
        knobs: model
            .knobs
            .pairs()
            .map(|(k, v)| format!("{k}={v}"))
            .collect(),
        replay: String::new(),
    };
    let mut out = Vec::new();
    for r in &report.results {
        if let Verdict::Violated(cx) = &r.verdict {
            let mut h = head(r.property.id());
            h.replay = replay_command(model, &cx.trace.token());
            let waits = crate::graphs::waits(model, cx);
            let mut text = faultline_traces::splat(&model.machine, &cx.trace, &waits, &h);
            // The kill -9 / hung_task block goes before the closing replay line.
            if let Some(k) = kill_of(model, r.property, cx) {
                let at = text.rfind("\nreplay: ").map_or(text.len(), |i| i + 1);
                text.insert_str(at, &format!("{}\n", kill_text(model, &k, 80)));
            }
            text.push_str(&format!("{}\n", provenance(model)));
            out.push(text);
        }
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
