//! Liveness on the explicit state graph: fair strongly connected components and lasso
//! counterexamples.
//!
//! Weak fairness: every thread, every disk I/O completion and the rwsem handoff that
//! stays enabled eventually acts; reclaim is not fair (it may evict forever, or never).
//! A non-trivial SCC holds a weakly fair cycle iff every fair actor enabled in *all* of
//! its states also acts inside it: then the cycle through all its states and edges is
//! fair, and otherwise no cycle inside it is. SCCs come from petgraph's iterative
//! `kosaraju_scc` (the recursive Tarjan overflows the stack on deep state graphs).

use std::collections::VecDeque;

use faultline_protocol::{Machine, Status, Step, World};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::property::Property;
use crate::search::Edge;
use crate::store::{StateIdx, Store};

/// A liveness counterexample: from the initial state to the cycle's first state, then
/// once around the cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Lasso {
    /// Steps from the initial state to the cycle.
    pub prefix: Vec<Step>,
    /// Steps around the cycle, back to where it started.
    pub cycle: Vec<Step>,
}

/// Bitmask of fair actors: threads in bits 0..16, disk completions 16..24, handoff 24.
pub(crate) fn actor(step: Step) -> u32 {
    match step {
        Step::Thread { tid, .. } => 1 << tid.0,
        Step::IoDone(f) => 1 << (16 + f.0),
        Step::Handoff => 1 << 24,
        Step::Evict(_) => 0,
    }
}

/// The threads that must finish (bitmask): every one but idle-forever servers.
pub(crate) fn non_daemon(m: &Machine) -> u32 {
    m.tids()
        .filter(|t| !m.threads()[t.index()].daemon())
        .fold(0, |acc, t| acc | 1 << t.0)
}

/// Checks `props` (liveness ones) on the full graph `edges` over `store`'s states.
/// Returns, per property, the lasso of the shallowest violating component.
pub(crate) fn check(
    m: &Machine,
    store: &Store,
    edges: &[Edge],
    props: &[Property],
) -> Vec<Option<Lasso>> {
    let n = store.len();
    let mut g: DiGraph<(), u16, u32> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        g.add_node(());
    }
    for &(a, b, code) in edges {
        g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), code);
    }
    let mut sccs = kosaraju_scc(&g);
    for c in &mut sccs {
        c.sort_unstable();
    }
    sccs.sort_unstable_by_key(|c| c[0]);
    let mut comp = vec![u32::MAX; n];
    for (i, c) in sccs.iter().enumerate() {
        for v in c {
            comp[v.index()] = i as u32;
        }
    }
    let shape = *m.shape();
    let template = m.initial();
    let non_daemon = non_daemon(m);
    let mut out: Vec<Option<Lasso>> = vec![None; props.len()];
    let mut enabled = Vec::new();
    for (ci, c) in sccs.iter().enumerate() {
        if out.iter().all(Option::is_some) {
            break;
        }
        let comp = &comp;
        let mut taken = 0u32;
        let mut any_edge = false;
        for &v in c {
            for e in g.edges(v).filter(|e| comp[e.target().index()] == ci as u32) {
                any_edge = true;
                taken |= actor(Step::decode(*e.weight()));
            }
        }
        if !any_edge {
            continue;
        }
        let mut always = u32::MAX;
        let mut unfinished = false;
        for &v in c {
            let w = World::unpack(&shape, &store.get(v.index() as StateIdx), &template);
            m.enabled(&w, &mut enabled);
            always &= enabled.iter().fold(0, |acc, &s| acc | actor(s));
            unfinished |= m
                .tids()
                .any(|t| non_daemon & 1 << t.0 != 0 && m.status(&w, t) != Status::Exited);
        }
        if always & !taken != 0 {
            continue; // some fair actor is enabled throughout and never acts
        }
        for (k, p) in props.iter().enumerate() {
            let violated = match p {
                Property::Livelock => taken & non_daemon != 0,
                Property::Starvation => unfinished,
                _ => false,
            };
            if violated && out[k].is_none() {
                out[k] = Some(lasso(m, store, &g, comp, ci as u32, c[0], taken));
            }
        }
    }
    out
}

/// Builds a fair lasso through component `ci`, entered at its shallowest state.
fn lasso(
    m: &Machine,
    store: &Store,
    g: &DiGraph<(), u16, u32>,
    comp: &[u32],
    ci: u32,
    entry: NodeIndex,
    taken: u32,
) -> Lasso {
    let shape = *m.shape();
    let template = m.initial();
    let mut enabled = Vec::new();
    // What the cycle must contain to be fair: one edge of each actor that acts in the
    // component, and a visit to a state disabling each one that does not.
    let mut cur = entry;
    let mut cycle: Vec<u16> = Vec::new();
    for bit in 0..25u32 {
        let a = 1u32 << bit;
        let fair_actor = bit < 16 && (bit as usize) < m.threads().len()
            || (16..24).contains(&bit) && ((bit - 16) as usize) < m.folios().len()
            || bit == 24;
        if !fair_actor {
            continue;
        }
        if taken & a != 0 {
            let goal = |v: NodeIndex| {
                g.edges(v).any(|e| {
                    comp[e.target().index()] == ci && actor(Step::decode(*e.weight())) == a
                })
            };
            let (path, at) = bfs(g, comp, ci, cur, goal);
            cycle.extend(path);
            let e = g
                .edges(at)
                .find(|e| comp[e.target().index()] == ci && actor(Step::decode(*e.weight())) == a)
                .expect("goal state has the edge");
            cycle.push(*e.weight());
            cur = e.target();
        } else {
            let disabled = |v: NodeIndex| {
                let w = World::unpack(&shape, &store.get(v.index() as StateIdx), &template);
                m.enabled(&w, &mut enabled);
                !enabled.iter().any(|&s| actor(s) == a)
            };
            let (path, at) = bfs(g, comp, ci, cur, disabled);
            cycle.extend(path);
            cur = at;
        }
    }
    let (back, _) = bfs(g, comp, ci, cur, |v| v == entry);
    cycle.extend(back);
    if cycle.is_empty() {
        // A self-loop at the entry: take it once.
        let e = g
            .edges(entry)
            .find(|e| comp[e.target().index()] == ci)
            .expect("non-trivial component");
        cycle.push(*e.weight());
    }
    Lasso {
        prefix: store
            .path(entry.index() as StateIdx)
            .into_iter()
            .map(Step::decode)
            .collect(),
        cycle: cycle.into_iter().map(Step::decode).collect(),
    }
}

/// Shortest path inside component `ci` from `from` to the first state satisfying
/// `goal` (`from` itself counts): its step codes and the state reached.
fn bfs(
    g: &DiGraph<(), u16, u32>,
    comp: &[u32],
    ci: u32,
    from: NodeIndex,
    mut goal: impl FnMut(NodeIndex) -> bool,
) -> (Vec<u16>, NodeIndex) {
    if goal(from) {
        return (Vec::new(), from);
    }
    let mut prev: std::collections::HashMap<NodeIndex, (NodeIndex, u16)> =
        std::collections::HashMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(v) = queue.pop_front() {
        for e in g.edges(v) {
            let t = e.target();
            if comp[t.index()] != ci || t == from || prev.contains_key(&t) {
                continue;
            }
            prev.insert(t, (v, *e.weight()));
            if goal(t) {
                let mut path = Vec::new();
                let mut at = t;
                while at != from {
                    let (p, code) = prev[&at];
                    path.push(code);
                    at = p;
                }
                path.reverse();
                return (path, t);
            }
            queue.push_back(t);
        }
    }
    // The component is strongly connected and the goal holds somewhere in it.
    (Vec::new(), from)
}
