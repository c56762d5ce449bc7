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
/// Change lists that do not fit wrap onto lines indented to their column, never cut:
/// the last change is often the one that matters (which folio a thread sleeps on).
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
    // With too little room beside the function, the changes go below, under the actor.
    let (indent, room) = if room >= MIN_ROOM {
        (wn + 2 + wa + 1 + wf + 1, room)
    } else {
        (wn + 2, width.saturating_sub(wn + 2).max(MIN_ROOM))
    };
    for r in &rows {
        let mut parts = wrap(&r.changes, room).into_iter();
        let first = if indent > wn + 2 {
            parts.next().unwrap_or_default()
        } else {
            String::new()
        };
        let line = format!("{:>wn$}  {:<wa$} {:<wf$} {first}", r.n, r.actor, r.function,);
        let _ = writeln!(s, "{}", clip(line.trim_end(), width));
        for part in parts {
            let _ = writeln!(s, "{:indent$}{part}", "");
        }
    }
    s
}

/// The fewest columns the change list is given before it moves below the row.
const MIN_ROOM: usize = 24;

/// Splits `text` into lines of at most `width` characters at spaces; a word longer
/// than `width` gets a line of its own, whole.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
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
    use super::{clip, wrap};

    #[test]
    fn wrap_keeps_every_word_and_stays_within_width() {
        let text = "folio f FUSE read, ref +T0; T0 sleeps on folio f; T2 idles";
        let lines = wrap(text, 24);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= 24), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert_eq!(wrap("a-very-long-word x", 4), ["a-very-long-word", "x"]);
    }

    #[test]
    fn clip_marks_what_it_cuts_and_keeps_what_fits() {
        assert_eq!(clip("mmap_lock W T1", 14), "mmap_lock W T1");
        assert_eq!(clip("mmap_lock W T1 q[T2r]", 14), "mmap_lock W...");
        assert_eq!(clip("abc", 2), "...");
    }
}
