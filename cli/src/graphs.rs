//! The graphs of a report's violations, named for files: the wait-for graph
//! (`STEM.PROPERTY.dot`, the name the matrix and older scripts know), the trace graph
//! (`STEM.PROPERTY.trace.dot`) and, for liveness, the lasso (`STEM.PROPERTY.lasso.dot`).
//! Each is drawn from the violation's [`Evidence`].

use faultline::Evidence;
use faultline_models::Model;
use faultline_traces::{lasso_dot, trace_graph_dot, wait_for_dot};

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

/// Every graph of every violation, files named from `stem` (`DESIGN.SCENARIO` for
/// `check`).
pub(crate) fn graphs(model: &Model, evidence: &[Evidence], stem: &str) -> Vec<Graph> {
    let mut out = Vec::new();
    for e in evidence {
        let property = e.property.id();
        let title = format!(
            "{} x {}{}: {property} after {} steps",
            model.design.id,
            model.scenario.id,
            set_args(model).replace(" --set ", " "),
            e.trace.len()
        );
        out.push(Graph {
            file: format!("{stem}.{property}.dot"),
            kind: "wait-for graph",
            property,
            dot: wait_for_dot(&e.wait_for, &title),
        });
        out.push(Graph {
            file: format!("{stem}.{property}.trace.dot"),
            kind: "trace graph",
            property,
            dot: trace_graph_dot(&e.causes, &format!("trace: {title}")),
        });
        if let Some(lasso) = &e.lasso {
            out.push(Graph {
                file: format!("{stem}.{property}.lasso.dot"),
                kind: "lasso",
                property,
                dot: lasso_dot(&model.machine, lasso, &format!("lasso: {title}")),
            });
        }
    }
    out
}
