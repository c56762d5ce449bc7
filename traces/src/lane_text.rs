//! The lane view for plain-text email: one column per thread or actor, one row per
//! step, kernel function names abbreviated deterministically so every line fits the
//! width; then the causal edges, one line each.

use std::fmt::Write;

use faultline_protocol::{Machine, Status};

use crate::lanes::{Lane, lanes_of};
use crate::lasso::Lasso;
use crate::trace::Trace;
use crate::trace_graph::TraceGraph;

/// The trace as lanes within `width` columns; the last (violating) step is marked `*`.
/// Cells of other threads show `|` runnable, `:` asleep, `.` idle daemon, blank exited.
pub fn lane_text(m: &Machine, trace: &Trace, width: usize) -> String {
    lanes_view(m, trace, width, None)
}

/// The lasso as lanes within `width` columns: the cycle's rows are marked `>` and
/// framed by a line where it starts and one that leads back there.
pub fn lasso_text(m: &Machine, lasso: &Lasso, width: usize) -> String {
    lanes_view(m, lasso.trace(), width, Some(lasso.loop_start()))
}

/// The causal edges of the trace graph, one line each within `width` columns:
/// `  4 -> 9   conflict on mmap_lock (T1 fork to T2 fuse)`.
pub fn causes_text(m: &Machine, g: &TraceGraph, width: usize) -> String {
    let causal = g.causal();
    if causal.is_empty() {
        return "no causal edges between lanes\n".into();
    }
    let nw = g.graph().node_count().to_string().len();
    let lane = |i: usize| g.graph()[petgraph::graph::NodeIndex::new(i)].lane.label(m);
    let mut s = String::from("causes (step -> step it caused):\n");
    for (a, b, _, label) in causal {
        let line = format!(
            "  {:>nw$} -> {:<nw$}  {label} ({} to {})",
            a + 1,
            b + 1,
            lane(a),
            lane(b)
        );
        let _ = writeln!(s, "{}", abbrev(&line, width));
    }
    s
}

fn lanes_view(m: &Machine, trace: &Trace, width: usize, loop_start: Option<usize>) -> String {
    let lanes = lanes_of(trace.steps());
    let g = TraceGraph::new(m, trace);
    let nodes: Vec<_> = g.graph().node_weights().collect();
    let nw = trace.len().to_string().len();
    let prefix = nw + 3; // marker, number, space
    let seps = lanes.len().saturating_sub(1);
    let need: Vec<usize> = lanes
        .iter()
        .map(|&l| {
            let cells = nodes
                .iter()
                .filter(|n| n.lane == l)
                .map(|n| n.function.len());
            cells.chain([l.label(m).len()]).max().unwrap_or(1)
        })
        .collect();
    let widths = fill(&need, width.saturating_sub(prefix + seps));

    let row = |mark: char, num: &str, cells: &[String]| {
        let mut line = format!("{mark}{num:>w$} ", w = nw + 1);
        for (c, w) in cells.iter().zip(&widths) {
            let _ = write!(line, "{:<w$} ", abbrev(c, *w));
        }
        line.trim_end().to_string()
    };
    let mut s = String::new();
    let head: Vec<String> = lanes.iter().map(|l| l.label(m)).collect();
    let _ = writeln!(s, "{}", row(' ', "", &head));
    for (i, node) in nodes.iter().enumerate() {
        if Some(i) == loop_start {
            let text = format!(
                "{:pad$}-- cycle: from here on, repeats forever --",
                "",
                pad = prefix
            );
            let _ = writeln!(s, "{}", abbrev(&text, width));
        }
        let cells: Vec<String> = lanes
            .iter()
            .map(|&l| {
                if l == node.lane {
                    return node.function.clone();
                }
                let Lane::Thread(t) = l else {
                    return String::new();
                };
                match m.status(trace.after(i), t) {
                    Status::Ready { .. } => "|",
                    Status::Blocked(_) => ":",
                    Status::Idle => ".",
                    Status::Exited => "",
                }
                .into()
            })
            .collect();
        let mark = match loop_start {
            Some(l) if i >= l => '>',
            None if i + 1 == nodes.len() => '*',
            _ => ' ',
        };
        let _ = writeln!(s, "{}", row(mark, &(i + 1).to_string(), &cells));
    }
    let legend = match loop_start {
        Some(l) => {
            let back = format!("{:pad$}-- back to step {} --", "", l + 1, pad = prefix);
            let _ = writeln!(s, "{}", abbrev(&back, width));
            "> cycle step"
        }
        None => "* violating step",
    };
    let legend = format!("{legend}   | runnable   : asleep   . idle daemon");
    let _ = writeln!(s, "{}", abbrev(&legend, width));
    s
}

/// Column widths: each lane gets what it needs if that fits its fair share of
/// `room`; what the short lanes leave is shared among the long ones (at least 1 each).
fn fill(need: &[usize], room: usize) -> Vec<usize> {
    let mut widths = vec![0; need.len()];
    let mut open: Vec<usize> = (0..need.len()).collect();
    let mut room = room;
    loop {
        let share = room / open.len().max(1);
        let (fit, rest): (Vec<usize>, Vec<usize>) = open.iter().partition(|&&i| need[i] <= share);
        if fit.is_empty() || rest.is_empty() {
            for &i in &open {
                widths[i] = need[i].min(share).max(1);
            }
            return widths;
        }
        for &i in &fit {
            widths[i] = need[i];
            room -= need[i];
        }
        open = rest;
    }
}

/// Cuts `text` to `width` characters, deterministically: a function call keeps its
/// argument and loses the end of its name (`do_sync_mmap_r~(f)`); anything else loses
/// its end. A cut is marked `~`.
pub(crate) fn abbrev(text: &str, width: usize) -> String {
    let len = text.chars().count();
    if len <= width {
        return text.to_string();
    }
    if let Some(p) = text.find('(').filter(|_| text.ends_with(')')) {
        let arg = &text[p..];
        let arg_len = arg.chars().count();
        if width >= arg_len + 2 {
            let name: String = text[..p].chars().take(width - arg_len - 1).collect();
            return format!("{name}~{arg}");
        }
    }
    if width == 0 {
        return String::new();
    }
    let keep: String = text.chars().take(width - 1).collect();
    format!("{keep}~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_keep_the_argument_and_fit() {
        assert_eq!(abbrev("folio_lock(f)", 13), "folio_lock(f)");
        assert_eq!(abbrev("do_sync_mmap_readahead(f)", 12), "do_sync_~(f)");
        assert_eq!(abbrev("mmap_read_trylock", 8), "mmap_re~");
        assert_eq!(abbrev("x(abcdef)", 4), "x(a~");
        assert_eq!(abbrev("abc", 0), "");
        for w in 0..30 {
            assert!(abbrev("do_sync_mmap_readahead(f)", w).chars().count() <= w);
        }
    }

    #[test]
    fn short_lanes_keep_their_width_and_long_ones_share_the_rest() {
        assert_eq!(fill(&[5, 30, 30], 45), vec![5, 20, 20]);
        assert_eq!(fill(&[5, 6], 45), vec![5, 6]);
        assert_eq!(fill(&[10, 10, 10], 2), vec![1, 1, 1]);
    }
}
