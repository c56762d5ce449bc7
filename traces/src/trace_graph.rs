//! The trace graph: one node per step, program-order edges along each lane, and the
//! causal edges between lanes ([`Cause`]).

use faultline_protocol::{Machine, Step};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::causal::{Cause, causal_edges};
use crate::describe::function;
use crate::lanes::{Lane, lanes_of};
use crate::trace::Trace;

/// A node: one step of the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepNode {
    /// Position in the trace, from 0 (printed as `index + 1`).
    pub index: usize,
    /// The step.
    pub step: Step,
    /// Its lane.
    pub lane: Lane,
    /// The kernel function with its object: `vma_start_write(F)`.
    pub function: String,
}

/// An edge of the trace graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceEdge {
    /// The next step of the same lane.
    Program,
    /// A step of one lane that caused a step of another.
    Causal(Cause),
}

/// The trace graph of a replayed trace. Node `i` is step `i`.
#[derive(Clone, Debug)]
pub struct TraceGraph {
    graph: DiGraph<StepNode, TraceEdge>,
    lanes: Vec<Lane>,
    lane_labels: Vec<String>,
    labels: Vec<String>,
}

impl TraceGraph {
    /// Builds the graph of `trace`, replayed on `m`.
    pub fn new(m: &Machine, trace: &Trace) -> TraceGraph {
        let mut graph = DiGraph::new();
        let mut last: Vec<(Lane, NodeIndex)> = Vec::new();
        for (index, step) in trace.steps().enumerate() {
            let lane = Lane::of(step);
            let n = graph.add_node(StepNode {
                index,
                step,
                lane,
                function: function(m, trace.before(index), step),
            });
            match last.iter_mut().find(|(l, _)| *l == lane) {
                Some((_, prev)) => {
                    graph.add_edge(*prev, n, TraceEdge::Program);
                    *prev = n;
                }
                None => last.push((lane, n)),
            }
        }
        for (a, b, cause) in causal_edges(m, trace) {
            graph.add_edge(
                NodeIndex::new(a),
                NodeIndex::new(b),
                TraceEdge::Causal(cause),
            );
        }
        let labels = graph
            .edge_weights()
            .map(|e| match e {
                TraceEdge::Program => String::new(),
                TraceEdge::Causal(c) => c.label(m),
            })
            .collect();
        let lanes = lanes_of(trace.steps());
        TraceGraph {
            graph,
            lane_labels: lanes.iter().map(|l| l.label(m)).collect(),
            lanes,
            labels,
        }
    }

    /// The petgraph graph.
    pub fn graph(&self) -> &DiGraph<StepNode, TraceEdge> {
        &self.graph
    }

    /// The lanes that take a step, threads first.
    pub fn lanes(&self) -> &[Lane] {
        &self.lanes
    }

    /// A lane's header (`T0 fault`, `disk`); empty for a lane that takes no step.
    pub fn lane_label(&self, lane: Lane) -> &str {
        self.lanes
            .iter()
            .position(|&l| l == lane)
            .map_or("", |i| self.lane_labels[i].as_str())
    }

    /// The last step: the one that reaches the violating state.
    pub fn violating(&self) -> Option<NodeIndex> {
        self.graph.node_indices().next_back()
    }

    /// The causal edges as `(from step, to step, cause, label)`, 0-based, sorted.
    pub fn causal(&self) -> Vec<(usize, usize, Cause, &str)> {
        let mut out: Vec<_> = self
            .graph
            .edge_references()
            .filter_map(|e| match e.weight() {
                TraceEdge::Causal(c) => Some((
                    e.source().index(),
                    e.target().index(),
                    *c,
                    self.labels[e.id().index()].as_str(),
                )),
                TraceEdge::Program => None,
            })
            .collect();
        out.sort_by_key(|&(a, b, _, _)| (a, b));
        out
    }

    /// The label of an edge: empty for program order.
    pub fn edge_label(&self, e: petgraph::graph::EdgeIndex) -> &str {
        &self.labels[e.index()]
    }
}
