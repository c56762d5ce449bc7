//! Plain-text renderings for terminals and plain-text email: the step trace as a table
//! and the wait-for chain as one line per edge.

use std::fmt::Write;

use faultline_protocol::Machine;

use crate::describe::{actor, changes, function, site};
use crate::trace::Trace;
use crate::wait_for::WaitForGraph;

/// One row of the step table.
struct Row {
    n: String,
    actor: String,
    function: String,
    changes: String,
}

/// The step trace as a table: step number, thread or actor, `site: function(object)`,
/// and what changed. Lines are at most `width` columns; long change lists wrap.
pub fn trace_text(m: &Machine, trace: &Trace, width: usize) -> String {
    let rows: Vec<Row> = trace
        .steps()
        .enumerate()
        .map(|(i, step)| {
            let before = trace.before(i);
            let f = function(m, before, step);
            let function = match site(m, before, step) {
                Some(s) if !f.starts_with(s) => format!("{s}: {f}"),
                _ => f,
            };
            Row {
                n: (i + 1).to_string(),
                actor: actor(m, step),
                function,
                changes: changes(m, before, trace.after(i), step.tid()).join("; "),
            }
        })
        .collect();
    let wn = rows.iter().map(|r| r.n.len()).max().unwrap_or(1).max(4);
    let wa = rows
        .iter()
        .map(|r| r.actor.len())
        .max()
        .unwrap_or(5)
        .clamp(5, 14);
    let wf = rows
        .iter()
        .map(|r| r.function.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let indent = wn + 2 + wa + 1 + wf + 1;
    let room = width.saturating_sub(indent).max(24);

    let mut s = String::new();
    let head = format!(
        "{:>wn$}  {:<wa$} {:<wf$} {}",
        "step", "actor", "function", "what changed"
    );
    let _ = writeln!(s, "{}", head.trim_end());
    for r in &rows {
        let mut lines = wrap(&r.changes, room).into_iter();
        let first = lines.next().unwrap_or_default();
        let line = format!("{:>wn$}  {:<wa$} {:<wf$} {first}", r.n, r.actor, r.function);
        let _ = writeln!(s, "{}", line.trim_end());
        for more in lines {
            let _ = writeln!(s, "{:indent$}{more}", "");
        }
    }
    s
}

/// The wait-for cycle (or, without one, every wait) as one line per edge.
pub fn wait_for_text(g: &WaitForGraph) -> String {
    let (title, edges) = if g.cycle().is_empty() {
        (
            "no wait-for cycle; the waits at the final state:",
            g.edges(),
        )
    } else {
        ("wait-for cycle at the final state:", g.cycle_edges())
    };
    let wa = edges.iter().map(|e| e.0.len()).max().unwrap_or(0);
    let wl = edges.iter().map(|e| e.1.len()).max().unwrap_or(0);
    let mut s = format!("{title}\n");
    for (a, label, b) in edges {
        let _ = writeln!(s, "  {a:<wa$}  {label:<wl$}  {b}");
    }
    s
}

/// Greedy word wrap at `width` columns; a word longer than `width` gets its own line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        if !cur.is_empty() && cur.len() + 1 + word.len() > width {
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

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_lines_within_width() {
        let lines = wrap(
            "mmap_lock: W T1, queue [T2r]; VMA F: write-locked; T2 sleeps",
            24,
        );
        assert!(lines.iter().all(|l| l.len() <= 24), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "mmap_lock: W T1, queue [T2r]; VMA F: write-locked; T2 sleeps"
        );
        assert!(wrap("", 10).is_empty());
    }
}
