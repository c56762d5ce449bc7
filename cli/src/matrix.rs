//! `faultline matrix`: every design x scenario, each cell the verdicts of the
//! properties that apply to the scenario, as a table for a terminal or a plain-text
//! email (or markdown, or one JSON document).

use std::fmt::Write;
use std::time::Instant;

use faultline_checker::{
    CheckError, Checker, Engine, EngineLimit, Limit, Options, Property, PropertyResult, Report,
    Stats, Verdict,
};
use std::sync::Arc;

use faultline::CellVerdict;
use faultline_models::{Catalog, Design, Model, Scenario};
use serde_json::{Value, json};

use crate::args::Shard;
use crate::error::CliError;
use crate::output;
use crate::progress::Progress;

/// One computed cell.
pub(crate) struct Cell {
    /// The model checked (design, scenario, knobs, machine).
    pub model: Model,
    /// What the native engine found.
    pub report: Report,
    /// Its place in the whole matrix (row-major), also in a shard.
    pub index: usize,
    /// Its verdict keys, LATENCY grade and eviction sensitivity (computed in the
    /// library, [`CellVerdict`]).
    pub verdict: CellVerdict,
}

/// The whole matrix.
pub(crate) struct Matrix {
    /// Designs, in column order.
    pub designs: Vec<Arc<Design>>,
    /// Scenarios, in row order.
    pub scenarios: Vec<Arc<Scenario>>,
    /// Cells, row-major (scenario, then design): all of them, or a shard's.
    pub cells: Vec<Cell>,
    /// Which cells were computed.
    pub shard: Shard,
    /// Wall time for all cells.
    pub seconds: f64,
}

impl Matrix {
    /// What the table shows: for a whole matrix (not a shard).
    pub(crate) fn table(&self) -> Table {
        Table {
            designs: self.designs.iter().map(|d| d.id.to_string()).collect(),
            scenarios: self.scenarios.iter().map(|s| s.id.to_string()).collect(),
            cells: self.cells.iter().map(Cell::summary).collect(),
            seconds: self.seconds,
        }
    }
}

impl Cell {
    fn summary(&self) -> CellSummary {
        CellSummary {
            verdict: self.verdict.clone(),
            inconclusive: self.report.overall() == faultline_checker::Status::Inconclusive,
            states: self.report.stats.states,
            transitions: self.report.stats.transitions,
            knobs: knobs_set(&self.model),
        }
    }
}

/// The `--set` pairs of a cell that differ from the defaults (`evictions=1`).
fn knobs_set(model: &Model) -> Vec<String> {
    output::set_args(model)
        .split(" --set ")
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// What the table of one cell shows; also what a shard's JSON carries per cell, so
/// `faultline merge` renders the same table.
pub(crate) struct CellSummary {
    /// [`Cell::verdict`].
    pub verdict: CellVerdict,
    /// Some property is inconclusive.
    pub inconclusive: bool,
    /// States explored.
    pub states: u64,
    /// Transitions explored.
    pub transitions: u64,
    /// Non-default knob settings, `KNOB=VALUE`.
    pub knobs: Vec<String>,
}

/// The matrix as the text and markdown renderers see it.
pub(crate) struct Table {
    /// Design ids, in column order.
    pub designs: Vec<String>,
    /// Scenario ids, in row order.
    pub scenarios: Vec<String>,
    /// Every cell, row-major.
    pub cells: Vec<CellSummary>,
    /// Wall time (for merged shards, the sum of theirs).
    pub seconds: f64,
}

impl Table {
    fn cell(&self, s: usize, d: usize) -> &CellSummary {
        &self.cells[s * self.designs.len() + d]
    }
    /// Whether some cell has an inconclusive property.
    pub(crate) fn inconclusive(&self) -> bool {
        self.cells.iter().any(|c| c.inconclusive)
    }
    /// The exit code of `matrix`: violations are the table's findings; only an
    /// undecided cell is not a complete answer.
    pub(crate) fn code(&self) -> u8 {
        if self.inconclusive() { 3 } else { 0 }
    }
}

/// What to compute.
pub(crate) struct Selection<'a> {
    /// The catalog: built-in designs and scenarios, and the `--file`s'.
    pub catalog: &'a Catalog,
    /// Design ids (all when empty).
    pub designs: &'a [String],
    /// Scenario ids (all when empty).
    pub scenarios: &'a [String],
    /// `--set` pairs; each applies to the cells that have that knob.
    pub sets: &'a [(String, String)],
    /// The engine.
    pub engine: Engine,
    /// Budgets and seed per cell.
    pub options: Options,
    /// Where to show how far it got.
    pub progress: &'a Progress,
    /// Which cells to compute.
    pub shard: Shard,
}

/// The entries named by `ids` in the order given (each once), or `all` if none is.
fn pick<T>(
    all: impl Iterator<Item = Arc<T>>,
    ids: &[String],
    find: impl Fn(&str) -> Result<Arc<T>, faultline_models::CatalogError>,
) -> Result<Vec<Arc<T>>, CliError> {
    if ids.is_empty() {
        return Ok(all.collect());
    }
    let mut out: Vec<Arc<T>> = Vec::new();
    for id in ids {
        let x = find(id)?;
        if !out.iter().any(|y| Arc::ptr_eq(y, &x)) {
            out.push(x);
        }
    }
    Ok(out)
}

/// The properties a scenario's cells check.
pub(crate) fn properties(s: &Scenario) -> Vec<Property> {
    s.properties
        .iter()
        .filter_map(|id| Property::parse(id))
        .collect()
}

/// Computes every selected cell with the native engine.
pub(crate) fn compute(sel: &Selection<'_>) -> Result<Matrix, CliError> {
    let start = Instant::now();
    let cat = sel.catalog;
    let designs = pick(cat.designs().iter().cloned(), sel.designs, |id| {
        cat.design(id).cloned()
    })?;
    // A user's scenario is a new row; the kernel scenarios are rows only when named.
    let scenarios = pick(cat.matrix_scenarios().cloned(), sel.scenarios, |id| {
        cat.scenario(id).cloned()
    })?;
    for (name, _) in sel.sets {
        let used = scenarios.iter().any(|s| {
            designs
                .iter()
                .any(|d| cat.knob_defs(d, s).iter().any(|k| k.name == name))
        });
        if !used {
            return Err(CliError::Usage(
                format!("no selected design x scenario has the knob `{name}`"),
                "faultline list",
            ));
        }
    }
    let mut cells = Vec::new();
    let total = (0..scenarios.len() * designs.len())
        .filter(|&k| sel.shard.has(k))
        .count();
    let mut k = 0;
    for s in &scenarios {
        for d in &designs {
            k += 1;
            if !sel.shard.has(k - 1) {
                continue;
            }
            let defs = cat.knob_defs(d, s);
            let sets: Vec<(String, String)> = sel
                .sets
                .iter()
                .filter(|(k, _)| defs.iter().any(|def| def.name == k))
                .cloned()
                .collect();
            let model = cat.build(d.id, s.id, &sets)?;
            let props = properties(s);
            let name = format!("{} x {}", d.id, s.id);
            sel.progress.cell(cells.len(), total, &name);
            let report = check(sel, &model, &props, &name)?;
            let mut verdict = CellVerdict::of(&report, &output::evidence(&model, &report));
            // The same cell with one eviction more or less: the library says whether
            // the verdict changes.
            if let Some(flip) = faultline::eviction_flip(model.knobs.pairs()) {
                let (k, v) = flip.split_once('=').unwrap_or((&flip, ""));
                let mut flipped = sets.clone();
                flipped.retain(|(name, _)| name != k);
                flipped.push((k.to_string(), v.to_string()));
                let other = cat.build(d.id, s.id, &flipped)?;
                sel.progress
                    .cell(cells.len(), total, &format!("{name} with {flip}"));
                let r = check(sel, &other, &props, &name)?;
                verdict
                    .compare_eviction(&flip, &CellVerdict::of(&r, &output::evidence(&other, &r)));
            }
            cells.push(Cell {
                model,
                report,
                index: k - 1,
                verdict,
            });
        }
    }
    Ok(Matrix {
        designs,
        scenarios,
        cells,
        shard: sel.shard,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Runs the selected engine on one cell.
fn check(
    sel: &Selection<'_>,
    model: &Model,
    props: &[Property],
    name: &str,
) -> Result<Report, CliError> {
    let mut shown = |st: &Stats| sel.progress.stats(st);
    let checker = Checker::new(&model.machine)
        .engine(sel.engine)
        .properties(props)
        .options(&sel.options)
        .progress(&mut shown);
    match checker.run() {
        // loom's thread cap: this cell is undecided, the rest of the table is not.
        Err(CheckError::TooManyThreads {
            engine,
            threads,
            max,
        }) => Ok(undecided(sel.engine, engine, props, threads, max)),
        r => r.map_err(|e| CliError::Cell(name.to_string(), e)),
    }
}

/// A cell the engine cannot run: every property inconclusive, saying why.
fn undecided(
    engine: Engine,
    name: &'static str,
    props: &[Property],
    threads: usize,
    max: usize,
) -> Report {
    let why = Limit::Engine(EngineLimit::TooManyThreads {
        engine: name,
        threads,
        max,
    });
    Report {
        engine,
        results: props
            .iter()
            .map(|&property| PropertyResult {
                property,
                verdict: Verdict::Inconclusive(why),
            })
            .collect(),
        stats: Stats::default(),
    }
}

/// The table as plain text, then how to read it and the counterexamples found.
pub(crate) fn text(m: &Table) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        std::iter::once("scenario".to_string())
            .chain(m.designs.iter().cloned())
            .collect(),
    ];
    for (si, s) in m.scenarios.iter().enumerate() {
        let mut row = vec![s.clone()];
        row.extend((0..m.designs.len()).map(|di| m.cell(si, di).verdict.shown()));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            let _ = writeln!(out, "{}", rule.join("  "));
        }
    }
    out += &legend(m);
    out
}

fn legend(m: &Table) -> String {
    let mut out = String::from(
        "\nOK: every property checked in that scenario holds over all reachable states.\n\
         DEADLOCK, LOCK-ORDER, RETRY-HELD, UAF, FORK-COPY, LATENCY, LIVELOCK, STARVATION:\n\
         the property violated (deadlock, lock-order, retry-drops, vma-use, fork-copy,\n\
         writer-waits-io, fork-waits-io or reader-waits-io, livelock, starvation);\n\
         ?KEY: not decided within the budget. `faultline check DESIGN SCENARIO`\n\
         prints each trace.\n\
         Reclaim is off except in tried-fuse and evict-retry; --set evictions=1 lets a\n\
         folio be evicted between the passes, and the TRIED pass then holds its lock.\n",
    );
    out += &faultline::legend();
    out += &evictions(m);
    let states: u64 = m.cells.iter().map(|c| c.states).sum();
    let transitions: u64 = m.cells.iter().map(|c| c.transitions).sum();
    let _ = writeln!(
        out,
        "\n{} cells, {states} states, {transitions} transitions, {:.2} s ({:.0} states/s)",
        m.cells.len(),
        m.seconds,
        states as f64 / m.seconds.max(1e-9)
    );
    let knobs: Vec<String> =
        m.cells
            .iter()
            .flat_map(|c| c.knobs.iter().cloned())
            .fold(Vec::new(), |mut acc, k| {
                if !acc.contains(&k) {
                    acc.push(k);
                }
                acc
            });
    if !knobs.is_empty() {
        let _ = writeln!(out, "knobs set: {}", knobs.join(" "));
    }
    out
}

/// The cells one eviction changes, one line each.
fn evictions(m: &Table) -> String {
    let mut out = String::new();
    for (si, s) in m.scenarios.iter().enumerate() {
        for (di, d) in m.designs.iter().enumerate() {
            let v = &m.cell(si, di).verdict;
            if let Some(e) = &v.eviction {
                let _ = writeln!(
                    out,
                    "  {s} x {d}: {}; with {}: {}",
                    v.keys_text_graded(),
                    e.set,
                    e.verdict
                );
            }
        }
    }
    out
}

/// The table as markdown.
pub(crate) fn markdown(m: &Table) -> String {
    let mut out = String::from("| scenario |");
    for d in &m.designs {
        let _ = write!(out, " {d} |");
    }
    out += "\n|---|";
    out += &"---|".repeat(m.designs.len());
    out.push('\n');
    for (si, s) in m.scenarios.iter().enumerate() {
        let _ = write!(out, "| {s} |");
        for di in 0..m.designs.len() {
            let _ = write!(out, " {} |", m.cell(si, di).verdict.shown());
        }
        out.push('\n');
    }
    out.push('\n');
    for line in faultline::legend().lines() {
        let _ = writeln!(out, "{}  ", line.replace('*', "\\*"));
    }
    out += &evictions(m).replace('*', "\\*").replace("\n", "  \n");
    out
}

/// The matrix (or a shard of it) as one JSON document. `options` is what the
/// cells' verdicts depend on besides the cells (engine, reductions, budget, `--set`):
/// `faultline merge` joins only shards whose options are equal. Each cell has its
/// `index` in the whole matrix and `knobs_set`, what the legend lists.
pub(crate) fn json(m: &Matrix, options: Value) -> Value {
    let cells: Vec<Value> = m
        .cells
        .iter()
        .map(|c| {
            let evidence = output::evidence(&c.model, &c.report);
            let mut o = output::json(&c.model, &c.report, &evidence, &[]);
            o["verdict"] = Value::from(c.verdict.keys_text());
            o["shown"] = Value::from(c.verdict.shown());
            o["latency"] = c.verdict.latency.map(|l| l.id()).into();
            o["eviction"] = c
                .verdict
                .eviction
                .as_ref()
                .map(|e| json!({ "set": e.set, "verdict": e.verdict }))
                .into();
            o["knobs_set"] = knobs_set(&c.model).into();
            o["index"] = c.index.into();
            o
        })
        .collect();
    json!({
        "designs": m.designs.iter().map(|d| d.id).collect::<Vec<_>>(),
        "scenarios": m.scenarios.iter().map(|s| s.id).collect::<Vec<_>>(),
        "shard": { "index": m.shard.index, "count": m.shard.count },
        "options": options,
        "cells": cells,
        "seconds": m.seconds,
    })
}
