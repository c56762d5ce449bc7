//! DOT output written by hand: escaped labels, stable sorted ids, so files are
//! byte-stable (petgraph's `Dot` pastes attribute strings unescaped and warns that its
//! exact output may change).

use std::fmt::Write;

use petgraph::visit::EdgeRef;

use crate::wait_for::{Node, WaitForGraph};

/// Escapes a string for a DOT double-quoted string: backslash, quote, newlines.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A double-quoted, escaped DOT string.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// The wait-for graph as DOT; the cycle and the marked chain are drawn in red. `title` becomes the graph label.
pub fn wait_for_dot(g: &WaitForGraph, title: &str) -> String {
    let graph = g.graph();
    let mut nodes: Vec<_> = graph.node_indices().collect();
    nodes.sort_by_key(|&n| graph[n]);
    let mut edges: Vec<_> = graph.edge_references().collect();
    edges.sort_by_key(|e| (graph[e.source()], graph[e.target()]));
    let on_cycle = |n| g.cycle().contains(&n) || g.chain().contains(&n);

    let mut s = String::new();
    let _ = writeln!(s, "digraph \"wait-for\" {{");
    let _ = writeln!(
        s,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\"];",
        quote(title)
    );
    let _ = writeln!(s, "  node [fontname=\"Helvetica\", fontsize=11];");
    let _ = writeln!(s, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for n in nodes {
        let shape = match graph[n] {
            Node::Thread(_) => "box",
            Node::MmapLock | Node::Vma(_) => "ellipse",
            Node::Folio(_) => "note",
            Node::Io(_) => "component",
        };
        let color = if on_cycle(n) { ", color=red" } else { "" };
        let _ = writeln!(
            s,
            "  {} [label={}, shape={shape}{color}];",
            quote(&g.id(n)),
            quote(g.name(n))
        );
    }
    for e in edges {
        let (a, b) = (e.source(), e.target());
        let style = if g.on_cycle(a, b) || g.on_chain(a, b) {
            ", color=red, fontcolor=red, penwidth=2"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  {} -> {} [label={}{style}];",
            quote(&g.id(a)),
            quote(&g.id(b)),
            quote(&e.weight().label)
        );
    }
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_with_quotes_backslashes_and_newlines_are_escaped() {
        assert_eq!(escape(r#"a "b" \c"#), r#"a \"b\" \\c"#);
        assert_eq!(escape("one\ntwo\r"), "one\\ntwo");
        assert_eq!(quote("x\"y"), "\"x\\\"y\"");
    }
}
