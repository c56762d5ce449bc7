//! The native engine: breadth-first, exhaustive explicit-state search with a visited
//! set and parent links. Deterministic (successors in `Machine::enabled` order), and
//! the first violating state found is at minimal depth, so counterexamples are
//! shortest.

use std::time::Instant;

use faultline_protocol::{Machine, Step, World};
use faultline_traces::Trace;

use crate::budget::Budget;
use crate::error::CheckError;
use crate::liveness::{self, Edge};
use crate::property::Property;
use crate::store::{Full, Insert, StateIdx, Store};
use crate::verdict::{Counterexample, Limit, PropertyResult, Report, Stats, Verdict};

/// Explores `m` breadth-first until every property in `props` is violated, the
/// reachable space is exhausted, or the budget runs out.
pub fn explore(m: &Machine, props: &[Property], budget: &Budget) -> Result<Report, CheckError> {
    explore_with_progress(m, props, budget, &mut |_| {})
}

/// [`explore`], calling `progress` with the statistics so far about once a second (a
/// library never prints; the command line decides what to show).
pub fn explore_with_progress(
    m: &Machine,
    props: &[Property],
    budget: &Budget,
    progress: &mut dyn FnMut(&Stats),
) -> Result<Report, CheckError> {
    let start = Instant::now();
    let mut last_report = start;
    let shape = *m.shape();
    let template = m.initial();
    let mut store = Store::new(shape.packed_len());
    let mut buf = Vec::with_capacity(shape.packed_len());
    template.pack(&shape, &mut buf);
    let limits = (budget.max_states.max(1), budget.max_bytes);
    store.insert(&buf, None, 0, (1, u64::MAX));

    let mut found: Vec<Option<StateIdx>> = vec![None; props.len()];
    // Liveness needs every transition; safety alone may stop at the last violation.
    let live = props.iter().any(|p| p.is_liveness());
    let mut edges: Option<Vec<Edge>> = live.then(Vec::new);
    let edge_bytes_max = budget.max_bytes / 4;
    let mut enabled = Vec::new();
    let mut transitions = 0u64;
    let mut depth = 0u32;
    let mut level_end = 1usize;
    let mut cursor = 0usize;
    let mut full = None;
    'bfs: while cursor < store.len() {
        if cursor == level_end {
            depth += 1;
            level_end = store.len();
        }
        let idx = cursor as StateIdx;
        let w = World::unpack(&shape, store.get(idx), &template);
        m.enabled(&w, &mut enabled);
        check_state(m, props, &w, &enabled, idx, &mut found);
        if !live && found.iter().all(Option::is_some) {
            break;
        }
        for &step in &enabled {
            let next = m.apply(&w, step).map_err(|error| CheckError::Model {
                error,
                token: token(&store, idx, Some(step)),
            })?;
            buf.clear();
            next.pack(&shape, &mut buf);
            // A full budget stops before the state is stored, so it is never overshot;
            // this state then counts as unexplored.
            let to = match store.insert(&buf, Some(idx), step.encode(), limits) {
                Insert::Full(f) => {
                    full = Some(f);
                    break 'bfs;
                }
                Insert::New(i) | Insert::Old(i) => i,
            };
            if let Some(list) = &mut edges {
                // Edges plus the graph built from them cost about 40 bytes each.
                if (list.len() as u64 + 1) * 40 > edge_bytes_max {
                    edges = None;
                } else {
                    list.push((idx, to, step.encode()));
                }
            }
            transitions += 1;
        }
        cursor += 1;
        if cursor % 4096 == 0 && last_report.elapsed().as_secs() >= 1 {
            last_report = Instant::now();
            progress(&stats(&store, transitions, depth, start));
        }
    }

    let limit = full.map(|f| {
        // Stored states not yet expanded are still checked: a violation among them is
        // found (and is shortest: every shallower state was expanded).
        for i in cursor + 1..store.len() {
            let w = World::unpack(&shape, store.get(i as StateIdx), &template);
            m.enabled(&w, &mut enabled);
            check_state(m, props, &w, &enabled, i as StateIdx, &mut found);
        }
        let unexplored = (store.len() - cursor) as u64;
        match f {
            Full::States => Limit::States {
                max: budget.max_states,
                unexplored,
            },
            Full::Memory => Limit::Memory {
                max_bytes: budget.max_bytes,
                unexplored,
            },
        }
    });

    let lassos = match (&edges, limit) {
        (Some(list), None) => liveness::check(m, &store, list, props),
        _ => vec![None; props.len()],
    };
    let mut results = Vec::with_capacity(props.len());
    for (k, &property) in props.iter().enumerate() {
        let verdict = if property.is_liveness() {
            match (&lassos[k], limit, &edges) {
                (Some(l), _, _) => {
                    Verdict::Violated(Box::new(lasso_counterexample(m, l, property)?))
                }
                (None, Some(l), _) => Verdict::Inconclusive(l),
                (None, None, None) => Verdict::Inconclusive(Limit::LivenessGraph {
                    max_bytes: edge_bytes_max,
                }),
                (None, None, Some(_)) => Verdict::Holds,
            }
        } else {
            match (found[k], limit) {
                (Some(idx), _) => {
                    Verdict::Violated(Box::new(counterexample(m, &store, idx, property)?))
                }
                (None, Some(l)) => Verdict::Inconclusive(l),
                (None, None) => Verdict::Holds,
            }
        };
        results.push(PropertyResult { property, verdict });
    }
    let stats = stats(&store, transitions, depth, start);
    Ok(Report {
        engine: "native",
        results,
        stats,
    })
}

fn stats(store: &Store, transitions: u64, depth: u32, start: Instant) -> Stats {
    Stats {
        states: store.len() as u64,
        transitions,
        depth,
        elapsed: start.elapsed(),
        bytes: store.bytes() as u64,
        executions: 0,
    }
}

/// Records, for each property not yet violated, whether `w` (state `idx`) violates it.
fn check_state(
    m: &Machine,
    props: &[Property],
    w: &World,
    enabled: &[Step],
    idx: StateIdx,
    found: &mut [Option<StateIdx>],
) {
    for (k, p) in props.iter().enumerate() {
        if found[k].is_none() && p.violated_at(m, w, enabled) {
            found[k] = Some(idx);
        }
    }
}

/// The steps from the initial state to `idx`.
pub(crate) fn path(store: &Store, mut idx: StateIdx) -> Vec<Step> {
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

/// Replays the path to `idx` and checks it ends in the stored state. For a latency
/// violation the chain of waits from the blocked writer to the I/O is marked.
fn counterexample(
    m: &Machine,
    store: &Store,
    idx: StateIdx,
    property: Property,
) -> Result<Counterexample, CheckError> {
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
    Ok(Counterexample::at_end(m, trace, property))
}

/// Replays a lasso and checks that the cycle returns to where it started.
fn lasso_counterexample(
    m: &Machine,
    l: &liveness::Lasso,
    property: Property,
) -> Result<Counterexample, CheckError> {
    let steps: Vec<Step> = l.prefix.iter().chain(&l.cycle).copied().collect();
    let token = || {
        steps
            .iter()
            .map(Step::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let trace =
        Trace::replay(m, &steps).map_err(|_| CheckError::ReplayMismatch { token: token() })?;
    let start = l.prefix.len();
    if l.cycle.is_empty() || trace.before(start) != trace.last() {
        return Err(CheckError::ReplayMismatch { token: token() });
    }
    let mut cx = Counterexample::at_end(m, trace, property);
    cx.cycle_from = Some(start);
    Ok(cx)
}
