//! [`Evidence`]: everything shown about one violation, built once from the checker's
//! counterexample and the model. Every renderer (the command line's text, `explain`,
//! splat, DOT, JSON and HTML report) and this library's [`crate::Counterexample`] read
//! it; none computes evidence of its own.

use std::fmt::Write;

use faultline_checker::{Counterexample, Engine, Property, Report, Verdict};
use faultline_protocol::Machine;

use crate::latency::Latency;
use faultline_traces::{
    Kernel, KillReport, Lasso, Token, Trace, TraceGraph, WaitForGraph, kill, trace_text,
    wait_for_text,
};

/// One violation's evidence.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Evidence {
    /// The property violated.
    pub property: Property,
    /// The engine that found it.
    pub engine: Engine,
    /// No shorter trace violates the property (the checker says so; see
    /// [`faultline_checker::Counterexample::shortest`]).
    pub shortest: bool,
    /// The steps from the initial state, replayed.
    pub trace: Trace,
    /// For a liveness violation: the trace as a prefix and a fair cycle.
    pub lasso: Option<Lasso>,
    /// The waits: at the final state, or for a lasso every wait along its cycle.
    pub wait_for: WaitForGraph,
    /// The trace graph: steps, program order and causes.
    pub causes: TraceGraph,
    /// For a deadlock: what `kill -9` of the process and hung_task do.
    pub kill: Option<KillReport>,
    /// The replay token with the hash of the model it was recorded on.
    pub token: Token,
    /// The shuttle schedule that reproduces it, when shuttle found it.
    pub schedule: Option<String>,
    /// For a latency property: what the victim's chain of waits ends in.
    pub latency: Option<Latency>,
}

impl Evidence {
    /// The evidence for `property`'s counterexample `cx`, found by `engine` on machine
    /// `m` built with these `(knob, value)` pairs.
    pub fn new<'a>(
        m: &Machine,
        knobs: impl IntoIterator<Item = (&'a str, &'a str)>,
        engine: Engine,
        property: Property,
        cx: &Counterexample,
    ) -> Evidence {
        let knobs: Vec<(&str, &str)> = knobs.into_iter().collect();
        let lasso = cx.cycle_from.and_then(|start| {
            let steps: Vec<_> = cx.trace.steps().collect();
            Lasso::replay(m, &steps[..start], &steps[start..]).ok()
        });
        let kill = (property == Property::Deadlock).then(|| KillReport {
            kill: kill(m, cx.trace.last(), Kernel::of(knobs.iter().copied())),
            kernel_knob: knobs.iter().any(|(k, _)| *k == "kernel"),
        });
        Evidence {
            property,
            engine,
            shortest: cx.shortest,
            trace: cx.trace.clone(),
            lasso,
            wait_for: cx.wait_for.clone(),
            causes: TraceGraph::new(m, &cx.trace),
            kill,
            token: Token::new(m, knobs, cx.trace.token()),
            schedule: cx.schedule.clone(),
            latency: Latency::of(&cx.wait_for),
        }
    }

    /// The evidence of every violation in `report`, in its order.
    pub fn of_report<'a>(
        m: &Machine,
        knobs: impl IntoIterator<Item = (&'a str, &'a str)>,
        report: &Report,
    ) -> Vec<Evidence> {
        let knobs: Vec<(&str, &str)> = knobs.into_iter().collect();
        report
            .results
            .iter()
            .filter_map(|r| match &r.verdict {
                Verdict::Violated(cx) => Some(Evidence::new(
                    m,
                    knobs.iter().copied(),
                    report.engine,
                    r.property,
                    cx,
                )),
                _ => None,
            })
            .collect()
    }

    /// `shortest counterexample` or `counterexample`.
    pub fn kind(&self) -> &'static str {
        if self.shortest {
            "shortest counterexample"
        } else {
            "counterexample"
        }
    }

    /// The step table, the cycle of a lasso, the waits and, for a deadlock, kill -9 and
    /// hung_task, `width` columns wide (the replay line is the caller's: it names
    /// files and knobs).
    pub fn text(&self, m: &Machine, width: usize) -> String {
        let mut s = trace_text(m, &self.trace, width);
        if let Some(l) = &self.lasso {
            let _ = writeln!(
                s,
                "\nsteps {}..{} return to the state after step {}: a fair cycle that repeats \
                 forever",
                l.loop_start() + 1,
                self.trace.len(),
                l.loop_start()
            );
        }
        s.push('\n');
        s += &wait_for_text(&self.wait_for);
        if let Some(k) = &self.kill {
            s.push('\n');
            s += &k.text(width);
        }
        s
    }
}
