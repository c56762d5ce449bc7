//! Reachability (`exists` queries): the shortest trace to a state satisfying a
//! predicate over the world, found breadth-first with no reduction. Partial-order
//! reduction keeps a state predicate's reachability only when every op the predicate
//! reads is visible, and nothing here proves that, so the search is always unreduced.

use std::time::Instant;

use faultline_protocol::{Machine, World};
use faultline_traces::Trace;

use crate::budget::Budget;
use crate::error::CheckError;
use crate::property::Property;
use crate::reduce::{Reduce, Reducer};
use crate::search::{Search, concrete_path};
use crate::store::Full;
use crate::verdict::{Limit, Stats};

/// What a reachability search found.
#[derive(Debug)]
#[non_exhaustive]
pub enum Reached {
    /// The shortest trace (breadth-first) whose last state satisfies the predicate,
    /// replayed on the machine.
    Witness(Trace),
    /// Every reachable state was explored; none satisfies it.
    Unreachable,
    /// The budget stopped the search before a witness was found.
    Unknown(Limit),
}

/// Searches `m` breadth-first, unreduced, for a state where `pred` holds.
pub fn reach(
    m: &Machine,
    pred: &(dyn Fn(&World) -> bool + Sync),
    budget: &Budget,
) -> Result<(Reached, Stats), CheckError> {
    let start = Instant::now();
    let none: [Property; 0] = [];
    let reducer = Reducer::new(m, &none, Reduce::None);
    let search = Search {
        m,
        reducer: &reducer,
        budget: *budget,
        edges: None,
        threads: 1,
    };
    let watch = |w: &World, _: &[faultline_protocol::Step]| u64::from(pred(w));
    let graph = search.run(&watch, 1, true, &mut |_, _, _, _| {})?;
    let states = graph.store.len() as u64;
    let stats = Stats {
        states,
        transitions: graph.transitions,
        depth: graph.depth,
        elapsed: start.elapsed(),
        bytes: graph.store.bytes() as u64,
        reductions: reducer.ran(),
        full_states: graph.full.is_none().then_some(states),
        ..Stats::default()
    };
    let reached = match (graph.found[0], graph.full) {
        (Some(idx), _) => {
            let steps = concrete_path(m, &reducer, &graph.store, idx);
            let mismatch = || CheckError::ReplayMismatch {
                token: steps
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            };
            let trace = Trace::replay(m, &steps).map_err(|_| mismatch())?;
            if !pred(trace.last()) {
                return Err(mismatch());
            }
            Reached::Witness(trace)
        }
        (None, None) => Reached::Unreachable,
        (None, Some((f, unexplored))) => Reached::Unknown(match f {
            Full::States => Limit::States {
                max: budget.max_states,
                unexplored,
            },
            Full::Memory => Limit::Memory {
                max_bytes: budget.max_bytes,
                unexplored,
            },
            Full::Alloc => Limit::Alloc {
                bytes: graph.store.bytes() as u64,
                unexplored,
            },
        }),
    };
    Ok((reached, stats))
}
