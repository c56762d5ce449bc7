//! `faultline merge`: the shards of `faultline matrix --shard I/N --json`, joined
//! into the table `faultline matrix` prints, with its exit code. Shards that do not
//! fit together (other cells, options or shard count; one missing or given twice)
//! are refused in one line.

use std::collections::BTreeMap;

use faultline::{CellVerdict, Eviction, Latency};
use serde_json::{Value, json};

use crate::args::{MatrixArgs, MergeArgs};
use crate::error::CliError;
use crate::matrix::{self, CellSummary, Table};

/// What a shard's verdicts depend on besides its cells; shards merge only when equal.
/// Threads and the memory cap are left out: results do not depend on the first, and
/// a cell the second stops shows as `?KEY` in the table anyway.
pub(crate) fn options(a: &MatrixArgs) -> Value {
    json!({
        "engine": a.engine.engine.id(),
        "reduce": a.engine.reduce.id(),
        "max_states": a.budget.max_states,
        "executions": a.engine.executions,
        "seed": a.engine.seed,
        "sets": a.select.sets.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
    })
}

/// One shard's document.
struct Shard {
    file: String,
    doc: Value,
    index: u64,
    count: u64,
}

fn refuse(msg: String) -> CliError {
    CliError::Merge(msg)
}

fn read(file: &std::path::Path) -> Result<Shard, CliError> {
    let name = file.display().to_string();
    let text =
        faultline_lang::read_text(file).map_err(|e| refuse(format!("cannot read {name}: {e}")))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(m, _)| m);
        refuse(format!("{name}:{}:{}: {msg}", e.line(), e.column()))
    })?;
    let not = |what: &str| {
        refuse(format!(
            "{name}: not a `faultline matrix --json` document ({what})"
        ))
    };
    let index = doc["shard"]["index"]
        .as_u64()
        .ok_or_else(|| not("no shard.index"))?;
    let count = doc["shard"]["count"]
        .as_u64()
        .ok_or_else(|| not("no shard.count"))?;
    if index == 0 || index > count {
        return Err(not("shard.index is not in 1..=shard.count"));
    }
    for key in ["designs", "scenarios", "cells"] {
        if !doc[key].is_array() {
            return Err(not(&format!("no `{key}` list")));
        }
    }
    Ok(Shard {
        file: name,
        doc,
        index,
        count,
    })
}

fn summary(s: &Shard, c: &Value) -> Result<(usize, CellSummary), CliError> {
    let not = || {
        refuse(format!(
            "{}: a cell without index, verdict, status, stats or knobs_set",
            s.file
        ))
    };
    let index = c["index"].as_u64().ok_or_else(not)?;
    let knobs = c["knobs_set"]
        .as_array()
        .ok_or_else(not)?
        .iter()
        .map(|k| k.as_str().map(String::from).ok_or_else(not))
        .collect::<Result<Vec<_>, _>>()?;
    let verdict = crate::escape::controls(c["verdict"].as_str().ok_or_else(not)?);
    let status = c["status"].as_str().ok_or_else(not)?;
    if let Some(why) = contradiction(&verdict, status, &c["results"]) {
        return Err(refuse(format!(
            "{}: cell {index}: the verdict `{verdict}` contradicts its results ({why})",
            s.file
        )));
    }
    let latency = match &c["latency"] {
        Value::Null => None,
        l => Some(l.as_str().and_then(Latency::parse).ok_or_else(|| {
            refuse(format!(
                "{}: cell {index}: latency {l} is not a grade",
                s.file
            ))
        })?),
    };
    let eviction = match &c["eviction"] {
        Value::Null => None,
        e => {
            let field = |k: &str| e[k].as_str().map(crate::escape::controls);
            match (field("set"), field("verdict")) {
                (Some(set), Some(verdict)) => Some(Eviction::new(set, verdict)),
                _ => {
                    return Err(refuse(format!(
                        "{}: cell {index}: eviction without set and verdict",
                        s.file
                    )));
                }
            }
        }
    };
    let cell = CellSummary {
        verdict: CellVerdict::from_parts(&verdict, latency, eviction),
        inconclusive: status == "inconclusive",
        states: c["stats"]["states"].as_u64().ok_or_else(not)?,
        transitions: c["stats"]["transitions"].as_u64().ok_or_else(not)?,
        knobs,
    };
    usize::try_from(index).map(|i| (i, cell)).map_err(|_| not())
}

/// Why a cell's `verdict` and `status` disagree with its own `results`, if they do:
/// the table shows the verdict, so a shard cannot claim `OK` over a violation.
fn contradiction(verdict: &str, status: &str, results: &Value) -> Option<String> {
    let results = results.as_array()?;
    let mut overall = "holds";
    for r in results {
        let st = r["status"].as_str().unwrap_or("");
        let key = r["property"]
            .as_str()
            .and_then(faultline_checker::Property::parse)
            .map(|p| p.key());
        let shown = match st {
            "violated" => key.map(String::from),
            "inconclusive" => key.map(|k| format!("?{k}")),
            _ => None,
        };
        if let Some(k) = shown
            && !verdict.split_whitespace().any(|w| w == k)
        {
            return Some(format!("{k} is not shown"));
        }
        overall = match (overall, st) {
            (_, "violated") | ("violated", _) => "violated",
            (_, "inconclusive") | ("inconclusive", _) => "inconclusive",
            (o, _) => o,
        };
    }
    if overall != status {
        return Some(format!("status `{status}`, results {overall}"));
    }
    (overall == "holds" && verdict != "OK").then(|| "every property holds".to_string())
}

/// Joins the shards; the text (or markdown) table and `matrix`'s exit code.
pub(crate) fn run(a: &MergeArgs) -> Result<(u8, String), CliError> {
    let shards = a
        .files
        .iter()
        .map(|f| read(f))
        .collect::<Result<Vec<_>, _>>()?;
    let first = &shards[0];
    let mut by_index: BTreeMap<u64, &Shard> = BTreeMap::new();
    for s in &shards {
        for (key, what) in [
            ("designs", "designs"),
            ("scenarios", "scenarios"),
            ("options", "options (engine, reduce, budget, --set)"),
        ] {
            if s.doc[key] != first.doc[key] {
                return Err(refuse(format!(
                    "{} and {} have different {what}",
                    first.file, s.file
                )));
            }
        }
        if s.count != first.count {
            return Err(refuse(format!(
                "{} is shard {}/{}, {} is of {} shards",
                s.file, s.index, s.count, first.file, first.count
            )));
        }
        if let Some(other) = by_index.insert(s.index, s) {
            return Err(refuse(format!(
                "shard {}/{} is given twice: {} and {}",
                s.index, s.count, other.file, s.file
            )));
        }
    }
    if let Some(missing) = (1..=first.count).find(|i| !by_index.contains_key(i)) {
        return Err(refuse(format!(
            "shard {missing}/{} is missing (give all {} shards)",
            first.count, first.count
        )));
    }
    let ids = |key: &str| -> Vec<String> {
        first.doc[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (designs, scenarios) = (ids("designs"), ids("scenarios"));
    let total = designs.len() * scenarios.len();
    let mut cells: Vec<Option<CellSummary>> = (0..total).map(|_| None).collect();
    let mut seconds = 0.0;
    for s in by_index.values() {
        seconds += s.doc["seconds"].as_f64().unwrap_or(0.0);
        for c in s.doc["cells"].as_array().into_iter().flatten() {
            let (k, cell) = summary(s, c)?;
            let fits = k < total
                && (k as u64) % s.count == s.index - 1
                && c["design"] == designs[k % designs.len()].as_str()
                && c["scenario"] == scenarios[k / designs.len()].as_str();
            if !fits || cells[k].is_some() {
                return Err(refuse(format!(
                    "{}: cell {k} does not belong to shard {}/{} of this matrix",
                    s.file, s.index, s.count
                )));
            }
            cells[k] = Some(cell);
        }
    }
    let cells = cells
        .into_iter()
        .enumerate()
        .map(|(k, c)| {
            c.ok_or_else(|| {
                let i = k as u64 % first.count + 1;
                refuse(format!(
                    "{}: shard {i}/{} lacks cell {k}",
                    by_index[&i].file, first.count
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let table = Table {
        designs,
        scenarios,
        cells,
        seconds,
    };
    let out = if a.markdown {
        matrix::markdown(&table)
    } else {
        matrix::text(&table)
    };
    Ok((table.code(), out))
}
