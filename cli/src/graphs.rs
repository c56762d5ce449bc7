//! The graphs of a report's violations, named for files: the wait-for graph
//! (`STEM.PROPERTY.dot`, the name the matrix and older scripts know), the trace graph
//! (`STEM.PROPERTY.trace.dot`) and, for liveness, the lasso (`STEM.PROPERTY.lasso.dot`).

use faultline_checker::{Counterexample, Report, Verdict};
use faultline_models::Model;
use faultline_traces::{Lasso, TraceGraph, WaitForGraph, lasso_dot, trace_graph_dot, wait_for_dot};

use crate::output::set_args;

/// One graph of one violation.
pub(crate) struct Graph {
    /// File name: `STEM.PROPERTY[.trace|.lasso].dot`.
    pub file: String,
    /// What it shows, for captions: `wait-for graph`, `trace graph`, `lasso`.
    pub kind: &'static str,
    /// The property it is evidence for.
    pub property: &'static str,
    /// The DOT text.
    pub dot: String,
}

/// The lasso of a liveness counterexample: its trace split where the cycle starts.
pub(crate) fn lasso_of(model: &Model, cx: &Counterexample) -> Option<Lasso> {
    let start = cx.cycle_from?;
    let steps: Vec<_> = cx.trace.steps().collect();
    Lasso::replay(&model.machine, &steps[..start], &steps[start..]).ok()
}

/// The waits to show for a counterexample: at its final state, or, for a lasso,
/// every wait along its cycle (a livelock's final state may wait for nothing).
pub(crate) fn waits(model: &Model, cx: &Counterexample) -> WaitForGraph {
    match lasso_of(model, cx) {
        Some(lasso) => {
            let t = lasso.trace();
            WaitForGraph::along_cycle(
                &model.machine,
                (lasso.loop_start()..t.len()).map(|i| t.after(i)),
            )
        }
        None => cx.wait_for.clone(),
    }
}

/// Every graph of every violated property of `report`, files named from `stem`
/// (`DESIGN.SCENARIO` for `check`).
pub(crate) fn graphs(model: &Model, report: &Report, stem: &str) -> Vec<Graph> {
    let mut out = Vec::new();
    for r in &report.results {
        let Verdict::Violated(cx) = &r.verdict else {
            continue;
        };
        let property = r.property.id();
        let title = format!(
            "{} x {}{}: {property} after {} steps",
            model.design.id,
            model.scenario.id,
            set_args(model).replace(" --set ", " "),
            cx.trace.len()
        );
        out.push(Graph {
            file: format!("{stem}.{property}.dot"),
            kind: "wait-for graph",
            property,
            dot: wait_for_dot(&waits(model, cx), &title),
        });
        let g = TraceGraph::new(&model.machine, &cx.trace);
        out.push(Graph {
            file: format!("{stem}.{property}.trace.dot"),
            kind: "trace graph",
            property,
            dot: trace_graph_dot(&g, &format!("trace: {title}")),
        });
        if let Some(lasso) = lasso_of(model, cx) {
            out.push(Graph {
                file: format!("{stem}.{property}.lasso.dot"),
                kind: "lasso",
                property,
                dot: lasso_dot(&model.machine, &lasso, &format!("lasso: {title}")),
            });
        }
    }
    out
}
