//! JSON for machines: the trace and the wait-for graph as `serde_json` values.

use faultline_protocol::Machine;
use serde_json::{Value, json};

use crate::describe::{actor, changes, function, site};
use crate::trace::Trace;
use crate::wait_for::WaitForGraph;

/// `{"token": .., "steps": [{"index", "thread", "op", "site", "changes"}]}`; `thread`
/// is the thread or actor label.
pub fn trace_json(m: &Machine, trace: &Trace) -> Value {
    let steps: Vec<Value> = trace
        .steps()
        .enumerate()
        .map(|(i, step)| {
            let before = trace.before(i);
            json!({
                "index": i + 1,
                "step": step.to_string(),
                "thread": actor(m, step),
                "op": function(m, before, step),
                "site": site(m, before, step),
                "changes": changes(m, before, trace.after(i), step.tid()),
            })
        })
        .collect();
    json!({ "token": trace.token(), "steps": steps })
}

/// `{"cycle": [names], "edges": [{"from", "label", "to", "on_cycle"}]}`.
pub fn wait_for_json(g: &WaitForGraph) -> Value {
    let cycle: Vec<&str> = g.cycle().iter().map(|&n| g.name(n)).collect();
    let cycle_edges = g.cycle_edges();
    let edges: Vec<Value> = g
        .edges()
        .into_iter()
        .map(|e| json!({ "from": e.0, "label": e.1, "to": e.2, "on_cycle": cycle_edges.contains(&e) }))
        .collect();
    json!({ "cycle": cycle, "edges": edges })
}
