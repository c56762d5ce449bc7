//! The trace graph and the lasso as DOT: one cluster per lane, time running downward
//! (an invisible edge between consecutive steps of different lanes), program order
//! solid, causal edges dashed and labelled, the violating step or the cycle marked.

use std::fmt::Write;

use faultline_protocol::Machine;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::dot::quote;
use crate::lasso::Lasso;
use crate::trace_graph::{TraceEdge, TraceGraph};

/// The trace graph as DOT; the last (violating) step is drawn red and bold.
pub fn trace_graph_dot(g: &TraceGraph, title: &str) -> String {
    write_dot(g, title, None)
}

/// The lasso's trace graph as DOT: the cycle's steps are filled and a red back edge
/// leads from the last cycle step to the first.
pub fn lasso_dot(m: &Machine, lasso: &Lasso, title: &str) -> String {
    write_dot(
        &TraceGraph::new(m, lasso.trace()),
        title,
        Some(lasso.loop_start()),
    )
}

fn id(n: NodeIndex) -> String {
    quote(&format!("s{}", n.index() + 1))
}

fn write_dot(g: &TraceGraph, title: &str, loop_start: Option<usize>) -> String {
    let graph = g.graph();
    let last = g.violating();
    let mut s = String::new();
    let _ = writeln!(s, "digraph \"trace\" {{");
    let _ = writeln!(
        s,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", newrank=true, ranksep=0.2];",
        quote(title)
    );
    let _ = writeln!(
        s,
        "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];"
    );
    let _ = writeln!(s, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for &lane in g.lanes() {
        let _ = writeln!(
            s,
            "  subgraph {} {{",
            quote(&format!("cluster_{}", lane.id()))
        );
        let _ = writeln!(
            s,
            "    graph [label={}, style=dashed, color=gray60];",
            quote(g.lane_label(lane))
        );
        for n in graph.node_indices().filter(|&n| graph[n].lane == lane) {
            let node = &graph[n];
            let label = format!("{}: {}", node.index + 1, node.function);
            let style = match loop_start {
                Some(l) if node.index >= l => {
                    ", style=\"rounded,filled\", fillcolor=\"#fff2b3\", color=red"
                }
                None if Some(n) == last => ", color=red, fontcolor=red, penwidth=2",
                _ => "",
            };
            let _ = writeln!(s, "    {} [label={}{style}];", id(n), quote(&label));
        }
        s.push_str("  }\n");
    }
    // Time runs downward: consecutive steps of different lanes are ranked in order.
    for i in 1..graph.node_count() {
        let (a, b) = (NodeIndex::new(i - 1), NodeIndex::new(i));
        if graph.find_edge(a, b).is_none() {
            let _ = writeln!(s, "  {} -> {} [style=invis];", id(a), id(b));
        }
    }
    let mut edges: Vec<_> = graph.edge_references().collect();
    edges.sort_by_key(|e| (e.source(), e.target()));
    for e in edges {
        let attrs = match e.weight() {
            TraceEdge::Program => "color=gray40".to_string(),
            TraceEdge::Causal(_) => format!(
                "style=dashed, color=blue, fontcolor=blue, label={}",
                quote(g.edge_label(e.id()))
            ),
        };
        let _ = writeln!(s, "  {} -> {} [{attrs}];", id(e.source()), id(e.target()));
    }
    if let (Some(l), Some(end)) = (loop_start, last) {
        let _ = writeln!(
            s,
            "  {} -> {} [color=red, fontcolor=red, penwidth=2, constraint=false, label=\"repeats\"];",
            id(end),
            id(NodeIndex::new(l))
        );
    }
    s.push_str("}\n");
    s
}
