//! Reachability: the shortest trace to a state satisfying a predicate over the world
//! (`exists` queries, [`reach`]), and every reachable deadlock state with the shortest
//! trace to each ([`deadlocks`]: what the real-kernel harness matches against kernel
//! stacks). Both search breadth-first with no reduction: partial-order reduction keeps a
//! state predicate's reachability only when every op the predicate reads is visible,
//! and symmetry would merge deadlock states that differ in which thread waits where.

use std::time::Instant;

use faultline_protocol::{Machine, Step, World};
use faultline_traces::Trace;

use crate::budget::Budget;
use crate::error::CheckError;
use crate::property::Property;
use crate::reduce::{Reduce, Reducer};
use crate::search::{Graph, Search, concrete_path};
use crate::verdict::{Limit, Stats};

/// What a reachability search found.
#[derive(Debug)]
#[non_exhaustive]
pub enum Reached {
    /// The shortest trace (breadth-first) whose last state satisfies the predicate,
    /// replayed on the machine.
    Witness(Box<Trace>),
    /// Every reachable state was explored; none satisfies it.
    Unreachable,
    /// The budget stopped the search before a witness was found.
    Unknown(Limit),
}

/// Every reachable deadlock state (a thread unfinished, none can run, no I/O can
/// complete: [`Property::Deadlock`]), shortest trace first.
#[derive(Debug)]
pub struct Deadlocks {
    /// The deadlock states found, in breadth-first order.
    pub states: Vec<DeadlockState>,
    /// `None`: the whole reachable space was explored, so `states` is every deadlock
    /// state. `Some`: the budget stopped the search, and there may be more.
    pub stopped: Option<Limit>,
}

/// One deadlock state and the shortest trace to it.
#[derive(Clone, Debug)]
pub struct DeadlockState {
    /// The state.
    pub world: World,
    /// The steps from the initial state (replayed on the machine: they end in `world`).
    pub steps: Vec<Step>,
}

/// Breadth-first, unreduced, single-threaded (so the store is in BFS order).
fn search(
    m: &Machine,
    watch: &(dyn Fn(&World, &[Step]) -> u64 + Sync),
    stop_when_found: bool,
    budget: &Budget,
) -> Result<(Graph, Reducer, Stats), CheckError> {
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
    let graph = search.run(watch, 1, stop_when_found, &mut |_, _, _, _| {})?;
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
    Ok((graph, reducer, stats))
}

/// Every deadlock state `m` reaches within `budget`, each with its shortest trace.
pub fn deadlocks(m: &Machine, budget: &Budget) -> Result<(Deadlocks, Stats), CheckError> {
    let (graph, reducer, stats) = search(m, &|_, _| 0, false, budget)?;
    let (shape, template) = (*m.shape(), m.initial());
    let mut enabled = Vec::new();
    let mut states = Vec::new();
    // The store holds the states in BFS order, so each parent path is a shortest trace.
    for idx in 0..graph.store.len() as u32 {
        let world = World::unpack(&shape, &graph.store.get(idx), &template);
        m.enabled(&world, &mut enabled);
        if !Property::Deadlock.violated_at(m, &world, &enabled) {
            continue;
        }
        let steps = concrete_path(m, &reducer, &graph.store, idx);
        let replayed = steps
            .iter()
            .try_fold(m.initial(), |w, &s| m.apply(&w, s).ok());
        if replayed != Some(world) {
            return Err(CheckError::ReplayMismatch {
                token: steps
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            });
        }
        states.push(DeadlockState { world, steps });
    }
    let stopped = graph.limit(budget);
    Ok((Deadlocks { states, stopped }, stats))
}

/// Searches `m` breadth-first, unreduced, for a state where `pred` holds.
pub fn reach(
    m: &Machine,
    pred: &(dyn Fn(&World) -> bool + Sync),
    budget: &Budget,
) -> Result<(Reached, Stats), CheckError> {
    let watch = |w: &World, _: &[Step]| u64::from(pred(w));
    let (graph, reducer, stats) = search(m, &watch, true, budget)?;
    let reached = match (graph.found[0], graph.limit(budget)) {
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
            Reached::Witness(Box::new(trace))
        }
        (None, None) => Reached::Unreachable,
        (None, Some(limit)) => Reached::Unknown(limit),
    };
    Ok((reached, stats))
}

#[cfg(test)]
mod tests {
    use std::collections::{HashSet, VecDeque};

    use faultline_protocol::{Machine, Mode, Step, Tid, WaitOn, World};

    use crate::property::Property;

    use super::{Reached, deadlocks, reach};
    use crate::budget::Budget;
    use crate::verdict::Limit;

    fn machine(design: &str, scenario: &str) -> Machine {
        faultline_models::build(design, scenario, &[])
            .expect("catalog case builds")
            .machine
    }

    /// A naive breadth-first search: the depth of the first state satisfying `pred`,
    /// and the number of reachable states (the oracle for `reach`).
    fn naive(m: &Machine, pred: &dyn Fn(&World) -> bool) -> (Option<usize>, usize) {
        let mut seen = HashSet::from([m.initial()]);
        let mut queue = VecDeque::from([(m.initial(), 0)]);
        let mut first = None;
        let mut enabled: Vec<Step> = Vec::new();
        while let Some((w, d)) = queue.pop_front() {
            if first.is_none() && pred(&w) {
                first = Some(d);
            }
            m.enabled(&w, &mut enabled);
            for &s in &enabled {
                let n = m.apply(&w, s).expect("steps");
                if seen.insert(n) {
                    queue.push_back((n, d + 1));
                }
            }
        }
        (first, seen.len())
    }

    /// H2 in tried-fuse: the fault sleeps on a folio holding `mmap_lock` for read
    /// while the writer queues on `mmap_lock`.
    fn h2(m: &Machine, w: &World) -> bool {
        let (fault, writer) = (Tid(0), Tid(1));
        w.mmap.readers().contains(fault)
            && matches!(m.blocked_on(w, fault), Some(WaitOn::Folio(_)))
            && m.blocked_on(w, writer) == Some(WaitOn::MmapLock(Mode::Write))
    }

    #[test]
    fn the_witness_is_the_shortest_trace_and_ends_in_the_state() {
        let m = machine("upstream", "tried-fuse");
        let pred = |w: &World| h2(&m, w);
        let (reached, stats) = reach(&m, &pred, &Budget::default()).expect("searches");
        let Reached::Witness(trace) = reached else {
            panic!("H2 is reachable upstream: {reached:?}");
        };
        assert!(pred(trace.last()));
        assert_eq!(Some(trace.len()), naive(&m, &pred).0);
        assert_eq!(stats.depth as usize, trace.len());
        assert!(!stats.reductions.por && stats.reductions.symmetry.is_none());
    }

    #[test]
    fn no_witness_after_the_whole_space_is_unreachable() {
        let m = machine("upstream", "tried-fuse");
        // rwsem exclusion: a writer and a reader never hold mmap_lock together.
        let pred = |w: &World| w.mmap.writer().is_some() && !w.mmap.readers().is_empty();
        let (reached, stats) = reach(&m, &pred, &Budget::default()).expect("searches");
        assert!(matches!(reached, Reached::Unreachable), "{reached:?}");
        let (first, states) = naive(&m, &pred);
        assert_eq!(first, None);
        assert_eq!(stats.states, states as u64);
        assert_eq!(stats.full_states, Some(stats.states));
    }

    /// Every deadlock state of the naive search, in BFS order with its depth.
    fn naive_deadlocks(m: &Machine) -> Vec<(World, usize)> {
        let mut out = Vec::new();
        let mut seen = HashSet::from([m.initial()]);
        let mut queue = VecDeque::from([(m.initial(), 0)]);
        let mut enabled: Vec<Step> = Vec::new();
        while let Some((w, d)) = queue.pop_front() {
            m.enabled(&w, &mut enabled);
            if Property::Deadlock.violated_at(m, &w, &enabled) {
                out.push((w, d));
            }
            for &s in &enabled {
                let n = m.apply(&w, s).expect("steps");
                if seen.insert(n) {
                    queue.push_back((n, d + 1));
                }
            }
        }
        out
    }

    #[test]
    fn every_deadlock_state_is_found_with_a_shortest_trace_that_replays_to_it() {
        let m = machine("upstream", "tried-fuse");
        let (found, stats) = deadlocks(&m, &Budget::default()).expect("searches");
        assert!(found.stopped.is_none());
        assert_eq!(stats.full_states, Some(stats.states));
        let oracle = naive_deadlocks(&m);
        assert!(!oracle.is_empty(), "tried-fuse deadlocks upstream");
        assert_eq!(found.states.len(), oracle.len());
        for d in &found.states {
            let (_, depth) = oracle
                .iter()
                .find(|(w, _)| *w == d.world)
                .expect("the oracle has it");
            assert_eq!(d.steps.len(), *depth);
            let end = d
                .steps
                .iter()
                .fold(m.initial(), |w, &s| m.apply(&w, s).expect("replays"));
            assert_eq!(end, d.world);
        }
        assert!(
            found
                .states
                .windows(2)
                .all(|p| p[0].steps.len() <= p[1].steps.len())
        );
    }

    #[test]
    fn a_model_without_deadlock_has_none_and_a_budget_stop_says_so() {
        let m = machine("upstream", "fork-fuse");
        let (found, _) = deadlocks(&m, &Budget::default()).expect("searches");
        assert!(found.states.is_empty() && found.stopped.is_none());
        let budget = Budget {
            max_states: 10,
            ..Budget::default()
        };
        let (found, _) = deadlocks(&machine("upstream", "tried-fuse"), &budget).expect("searches");
        assert!(
            matches!(found.stopped, Some(Limit::States { max: 10, .. })),
            "{:?}",
            found.stopped
        );
    }

    #[test]
    fn a_budget_stop_is_unknown_not_unreachable() {
        let m = machine("upstream", "tried-fuse");
        let budget = Budget {
            max_states: 10,
            ..Budget::default()
        };
        let (reached, _) = reach(&m, &|_: &World| false, &budget).expect("searches");
        assert!(
            matches!(reached, Reached::Unknown(Limit::States { max: 10, .. })),
            "{reached:?}"
        );
    }
}
