//! The native engine: a [`Search`] produces the state graph, the properties read it,
//! and verdicts and counterexamples are built last. Counterexamples are replayed on
//! the concrete machine (renamed back from symmetry representatives) and must end in
//! the state the search stored and violate the property.

use std::time::Instant;

use faultline_protocol::{Machine, Step};
use faultline_traces::{Trace, WaitForGraph};

use crate::budget::Budget;
use crate::builder::Checker;
use crate::engines::Engine;
use crate::error::CheckError;
use crate::liveness::{self, Lasso};
use crate::property::Property;
use crate::reduce::{Reduce, Reducer};
use crate::search::{Graph, Search, concrete_path, packed_representative};
use crate::store::StateIdx;
use crate::verdict::{Counterexample, Limit, PropertyResult, Report, Stats, Verdict};

/// Explores `m` breadth-first, unreduced and on one thread, until every property in
/// `props` is violated, the reachable space is exhausted, or the budget runs out.
pub fn explore(m: &Machine, props: &[Property], budget: &Budget) -> Result<Report, CheckError> {
    let unreduced = Checker::new(m).reduce(Reduce::None).threads(1);
    unreduced.budget(*budget).properties(props).run()
}

/// Checks `props` on `m` with the reductions `reduce` allows for them, computing
/// successors on `threads` threads (the result does not depend on it).
pub(crate) fn check(
    m: &Machine,
    props: &[Property],
    budget: &Budget,
    reduce: Reduce,
    threads: usize,
    progress: &mut dyn FnMut(&Stats),
) -> Result<Report, CheckError> {
    let start = Instant::now();
    let reducer = Reducer::new(m, props, reduce);
    let live = props.iter().any(|p| p.is_liveness());
    let edge_bytes_max = budget.max_bytes / 4;
    let search = Search {
        m,
        reducer: &reducer,
        budget: *budget,
        edges: live.then_some(edge_bytes_max),
        threads,
    };
    // Safety properties are the watched predicates, in `props` order.
    let safety: Vec<Property> = props.iter().copied().filter(|p| !p.is_liveness()).collect();
    let watch = |w: &faultline_protocol::World, enabled: &[Step]| {
        safety
            .iter()
            .enumerate()
            .filter(|(_, p)| p.violated_at(m, w, enabled))
            .fold(0u64, |acc, (k, _)| acc | 1 << k)
    };
    let ran = reducer.ran();
    let graph = search.run(
        &watch,
        safety.len(),
        !live,
        &mut |states, transitions, depth, bytes| {
            progress(&Stats {
                states,
                transitions,
                depth,
                elapsed: start.elapsed(),
                bytes,
                reductions: ran,
                ..Stats::default()
            })
        },
    )?;

    let limit = graph.limit(budget);
    let lassos = match (&graph.edges, limit) {
        (Some(list), None) if live => liveness::check(m, &graph.store, list, props),
        _ => vec![None; props.len()],
    };
    let mut results = Vec::with_capacity(props.len());
    let mut k_safety = 0;
    for (k, &property) in props.iter().enumerate() {
        let verdict = if property.is_liveness() {
            match (&lassos[k], limit, &graph.edges) {
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
            let found = graph.found[k_safety];
            k_safety += 1;
            match (found, limit) {
                (Some(idx), _) => Verdict::Violated(Box::new(counterexample(
                    m, &reducer, &graph, idx, property,
                )?)),
                (None, Some(l)) => Verdict::Inconclusive(l),
                (None, None) => Verdict::Holds,
            }
        };
        let mut verdict = verdict;
        if let Verdict::Violated(cx) = &mut verdict {
            cx.shortest = !ran.por;
        }
        results.push(PropertyResult { property, verdict });
    }
    let states = graph.store.len() as u64;
    let reduced = ran.por || ran.symmetry.is_some_and(|g| g > 1);
    Ok(Report {
        engine: Engine::Native,
        results,
        stats: Stats {
            states,
            transitions: graph.transitions,
            depth: graph.depth,
            elapsed: start.elapsed(),
            bytes: graph.store.bytes() as u64,
            executions: 0,
            reductions: ran,
            full_states: (!reduced && limit.is_none()).then_some(states),
        },
    })
}

fn token(steps: &[Step]) -> String {
    steps
        .iter()
        .map(Step::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Replays the concrete path to `idx`, checks it ends in (the orbit of) the stored
/// state and violates `property` there. For a latency violation the chain of waits
/// from the blocked writer to the I/O is marked.
fn counterexample(
    m: &Machine,
    reducer: &Reducer,
    graph: &Graph,
    idx: StateIdx,
    property: Property,
) -> Result<Counterexample, CheckError> {
    let steps = concrete_path(m, reducer, &graph.store, idx);
    let mismatch = || CheckError::ReplayMismatch {
        token: token(&steps),
    };
    let trace = Trace::replay(m, &steps).map_err(|_| mismatch())?;
    if packed_representative(m, reducer, trace.last()) != *graph.store.get(idx) {
        return Err(mismatch());
    }
    let mut enabled = Vec::new();
    m.enabled(trace.last(), &mut enabled);
    if !property.violated_at(m, trace.last(), &enabled) {
        return Err(mismatch());
    }
    Ok(Counterexample::at_end(m, trace, property))
}

/// Replays a lasso and checks that the cycle returns to where it started.
fn lasso_counterexample(
    m: &Machine,
    l: &Lasso,
    property: Property,
) -> Result<Counterexample, CheckError> {
    let steps: Vec<Step> = l.prefix.iter().chain(&l.cycle).copied().collect();
    let trace = Trace::replay(m, &steps).map_err(|_| CheckError::ReplayMismatch {
        token: token(&steps),
    })?;
    let start = l.prefix.len();
    if l.cycle.is_empty() || trace.before(start) != trace.last() {
        return Err(CheckError::ReplayMismatch {
            token: token(&steps),
        });
    }
    let mut cx = Counterexample::at_end(m, trace, property);
    cx.cycle_from = Some(start);
    let t = &cx.trace;
    cx.wait_for = WaitForGraph::along_cycle(m, (start..t.len()).map(|i| t.after(i)));
    Ok(cx)
}
