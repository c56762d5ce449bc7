//! The native engine: breadth-first, exhaustive explicit-state search with a visited
//! set and parent links. Deterministic (successors in `Machine::enabled` order), and
//! the first violating state found is at minimal depth, so counterexamples are
//! shortest.

use std::time::Instant;

use faultline_protocol::{Machine, Step, World};
use faultline_traces::{Trace, WaitForGraph};

use crate::budget::Budget;
use crate::error::CheckError;
use crate::property::Property;
use crate::store::{StateIdx, Store};
use crate::verdict::{Counterexample, Limit, PropertyResult, Report, Stats, Verdict};

/// Explores `m` breadth-first until every property in `props` is violated, the
/// reachable space is exhausted, or the budget runs out.
pub fn explore(m: &Machine, props: &[Property], budget: &Budget) -> Result<Report, CheckError> {
    let start = Instant::now();
    let shape = *m.shape();
    let template = m.initial();
    let mut store = Store::new(shape.packed_len());
    let mut buf = Vec::with_capacity(shape.packed_len());
    template.pack(&shape, &mut buf);
    store.insert(&buf, None, 0);

    let mut found: Vec<Option<StateIdx>> = vec![None; props.len()];
    let mut enabled = Vec::new();
    let mut transitions = 0u64;
    let mut depth = 0u32;
    let mut level_end = 1usize;
    let mut cursor = 0usize;
    let mut limit = None;
    while cursor < store.len() {
        if cursor == level_end {
            depth += 1;
            level_end = store.len();
        }
        let idx = cursor as StateIdx;
        let w = World::unpack(&shape, store.get(idx), &template);
        m.enabled(&w, &mut enabled);
        for (k, p) in props.iter().enumerate() {
            if found[k].is_none() && p.violated_at(m, &w, &enabled) {
                found[k] = Some(idx);
            }
        }
        if found.iter().all(Option::is_some) {
            break;
        }
        // Budgets are checked before the expansion, so neither is ever overshot.
        let unexplored = (store.len() - cursor) as u64;
        if store.len() as u64 + enabled.len() as u64 > budget.max_states {
            limit = Some(Limit::States {
                max: budget.max_states,
                unexplored,
            });
            break;
        }
        if store.peak_bytes_after(enabled.len()) as u64 > budget.max_bytes {
            limit = Some(Limit::Memory {
                max_bytes: budget.max_bytes,
                unexplored,
            });
            break;
        }
        for &step in &enabled {
            let next = m.apply(&w, step).map_err(|error| CheckError::Model {
                error,
                token: token(&store, idx, Some(step)),
            })?;
            buf.clear();
            next.pack(&shape, &mut buf);
            store.insert(&buf, Some(idx), step.encode());
            transitions += 1;
        }
        cursor += 1;
    }

    let mut results = Vec::with_capacity(props.len());
    for (k, &property) in props.iter().enumerate() {
        let verdict = match (found[k], limit) {
            (Some(idx), _) => Verdict::Violated(Box::new(counterexample(m, &store, idx)?)),
            (None, Some(l)) => Verdict::Inconclusive(l),
            (None, None) => Verdict::Holds,
        };
        results.push(PropertyResult { property, verdict });
    }
    let stats = Stats {
        states: store.len() as u64,
        transitions,
        depth,
        elapsed: start.elapsed(),
        bytes: store.bytes() as u64,
    };
    Ok(Report {
        engine: "native",
        results,
        stats,
    })
}

/// The steps from the initial state to `idx`.
fn path(store: &Store, mut idx: StateIdx) -> Vec<Step> {
    let mut steps = Vec::new();
    while let Some((parent, code)) = store.link(idx) {
        steps.push(Step::decode(code));
        idx = parent;
    }
    steps.reverse();
    steps
}

fn token(store: &Store, idx: StateIdx, last: Option<Step>) -> String {
    let mut steps = path(store, idx);
    steps.extend(last);
    steps
        .iter()
        .map(Step::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Replays the path to `idx` and checks it ends in the stored state.
fn counterexample(m: &Machine, store: &Store, idx: StateIdx) -> Result<Counterexample, CheckError> {
    let steps = path(store, idx);
    let mismatch = || CheckError::ReplayMismatch {
        token: token(store, idx, None),
    };
    let trace = Trace::replay(m, &steps).map_err(|_| mismatch())?;
    let mut packed = Vec::new();
    trace.last().pack(m.shape(), &mut packed);
    if packed != store.get(idx) {
        return Err(mismatch());
    }
    let wait_for = WaitForGraph::at(m, trace.last());
    Ok(Counterexample { trace, wait_for })
}
