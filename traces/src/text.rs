//! Plain-text renderings for terminals and plain-text email: the step trace as a table
//! and the wait-for chain as one line per edge.

use std::fmt::Write;

use faultline_protocol::Machine;

use crate::describe::{actor, changes, function};
use crate::trace::Trace;
use crate::wait_for::WaitForGraph;

/// One row of the step table.
struct Row {
    n: String,
    actor: String,
    function: String,
    changes: String,
}

/// The step trace as a table, one line per step of at most `width` columns: step
/// number, thread or actor, the kernel function with its object, and what changed.
/// Change lists that do not fit end in `...`; the JSON form has them whole.
pub fn trace_text(m: &Machine, trace: &Trace, width: usize) -> String {
    let rows: Vec<Row> = trace
        .steps()
        .enumerate()
        .map(|(i, step)| {
            let before = trace.before(i);
            Row {
                n: (i + 1).to_string(),
                actor: actor(m, step),
                function: function(m, before, step),
                changes: changes(m, before, trace.after(i), step.tid()).join("; "),
            }
        })
        .collect();
    let wn = rows.iter().map(|r| r.n.len()).max().unwrap_or(1).max(4);
    let wa = rows.iter().map(|r| r.actor.len()).max().unwrap_or(5).max(5);
    let wf = rows
        .iter()
        .map(|r| r.function.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let room = width.saturating_sub(wn + 2 + wa + 1 + wf + 1);

    let mut s = String::new();
    let head = format!(
        "{:>wn$}  {:<wa$} {:<wf$} {}",
        "step", "actor", "function", "what changed"
    );
    let _ = writeln!(s, "{}", clip(head.trim_end(), width));
    for r in &rows {
        let line = format!(
            "{:>wn$}  {:<wa$} {:<wf$} {}",
            r.n,
            r.actor,
            r.function,
            clip(&r.changes, room)
        );
        let _ = writeln!(s, "{}", clip(line.trim_end(), width));
    }
    s
}

/// Cuts `text` to `width` characters, marking the cut with `...`.
fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let keep: String = text.chars().take(width.saturating_sub(3)).collect();
    format!("{}...", keep.trim_end())
}

/// The wait-for cycle (or, without one, every wait) as one line per edge, then the
/// marked chain, if any.
pub fn wait_for_text(g: &WaitForGraph) -> String {
    let mut s = edges_text(g);
    if !g.chain().is_empty() {
        s.push_str(&lines(
            "chain of waits at the final state:",
            g.chain_edges(),
        ));
    }
    s
}

fn edges_text(g: &WaitForGraph) -> String {
    let (title, edges) = if g.is_along_cycle() {
        ("the waits along the cycle:", g.edges())
    } else if g.cycle().is_empty() {
        (
            "no wait-for cycle; the waits at the final state:",
            g.edges(),
        )
    } else {
        ("wait-for cycle at the final state:", g.cycle_edges())
    };
    lines(title, edges)
}

fn lines(title: &str, edges: Vec<(&str, &str, &str)>) -> String {
    let wa = edges.iter().map(|e| e.0.len()).max().unwrap_or(0);
    let wl = edges.iter().map(|e| e.1.len()).max().unwrap_or(0);
    let mut s = format!("{title}\n");
    for (a, label, b) in edges {
        let _ = writeln!(s, "  {a:<wa$}  {label:<wl$}  {b}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn clip_marks_what_it_cuts_and_keeps_what_fits() {
        assert_eq!(clip("mmap_lock W T1", 14), "mmap_lock W T1");
        assert_eq!(clip("mmap_lock W T1 q[T2r]", 14), "mmap_lock W...");
        assert_eq!(clip("abc", 2), "...");
    }
}
