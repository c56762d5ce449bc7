//! Prediction against observation: the `RESULT` line and what disagrees.

use crate::builds::Known;
use crate::cases::Case;
use crate::observe::{Observation, Outcome};
use crate::predict::{Prediction, Stuck};

/// The verdict for one case on one kernel.
#[derive(Clone, Debug)]
pub struct Judgement {
    /// `RESULT kernel=6.12 case=h2 predicted=HANG observed=HANG killable=yes ...`.
    pub result: String,
    /// One line per stuck thread: the model's wait and the kernel's innermost frames.
    pub waits: Vec<String>,
    /// What disagrees (empty when the prediction holds).
    pub mismatches: Vec<String>,
}

impl Judgement {
    /// Observed == predicted, waits, killability and hung_task included.
    pub fn ok(&self) -> bool {
        self.mismatches.is_empty()
    }

    /// A mismatch that `k` explains, when the kernel did what `k` says it does:
    /// `KNOWN` instead of `MISMATCH`, with the reason, and no longer a failure.
    pub fn explained(mut self, k: Option<&Known>, observed: Outcome) -> Judgement {
        if let Some(k) = k.filter(|k| !self.ok() && observed.word() == k.observed) {
            self.result = self.result.replace(" MISMATCH", " KNOWN-DISAGREEMENT");
            self.waits.push(format!("  known: {}", k.why));
            self.waits.append(&mut self.mismatches);
        }
        self
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// `__access_remote_vm` and `access_remote_vm` are the same function for matching.
fn same(a: &str, b: &str) -> bool {
    a.trim_start_matches('_') == b.trim_start_matches('_')
}

/// Where a model deadlock state and the observed hang disagree.
fn differences(s: &Stuck, o: &Observation) -> Vec<String> {
    let mut out = Vec::new();
    for w in &s.waits {
        let Some(k) = w.wait else {
            out.push(format!(
                "{} ({}): no kernel wait known for {}",
                w.role, w.thread, w.at
            ));
            continue;
        };
        let Some(t) = o.task(w.role) else {
            out.push(format!(
                "{} ({}): no such task in the dump",
                w.role, w.thread
            ));
            continue;
        };
        if t.state != k.sleep.state() {
            out.push(format!(
                "{} ({}): model waits in {}, kernel task is in state {}",
                w.role, w.thread, k.function, t.state
            ));
        }
        for f in k.frames {
            if o.inlined(f) {
                continue;
            }
            if !t.frames().any(|g| same(g, f)) {
                out.push(format!(
                    "{} ({}): model waits in {} (frame {f}), kernel stack {}",
                    w.role,
                    w.thread,
                    k.function,
                    t.innermost(6)
                ));
            }
        }
    }
    for t in o.hung.iter().filter(|t| t.state == 'D') {
        if !s.waits.iter().any(|w| w.role == t.role) {
            out.push(format!(
                "{}: blocked in the kernel ({}) but not in the model",
                t.role,
                t.innermost(3)
            ));
        }
    }
    out
}

/// Judges `obs` (of `case` on `kernel`) against `pred`.
pub fn judge(
    case: &Case,
    kernel: &str,
    version: &str,
    pred: &Prediction,
    obs: &Observation,
) -> Judgement {
    // The case's question: is its own cycle reachable? A control (no cycle named)
    // asks whether any deadlock is. The test's order rules the other deadlocks out;
    // they are reported beside the verdict.
    let stuck = pred.of_case(case);
    let phang = !stuck.is_empty();
    let others = pred.stuck.len() - stuck.len();
    let predicted = if phang { "HANG" } else { "COMPLETE" };
    let mut mismatches = Vec::new();
    let mut waits = Vec::new();
    if others > 0 {
        waits.push(format!(
            "  model: {others} other deadlock state(s) the case's order rules out"
        ));
    }
    let (mut killable, mut hung_task) = ("-".to_string(), "-".to_string());
    match (phang, obs.outcome) {
        (_, Outcome::Broken) => mismatches.push("the test did not run to an outcome".into()),
        (true, Outcome::Hang) => {
            // The first (shortest) model deadlock whose waits are the kernel's.
            let matched = stuck
                .iter()
                .copied()
                .find(|s| differences(s, obs).is_empty());
            let s = matched.unwrap_or(stuck[0]);
            if matched.is_none() {
                mismatches.push(format!(
                    "none of the model's {} deadlock states has the kernel's waits; the shortest:",
                    stuck.len()
                ));
                mismatches.extend(differences(s, obs));
            }
            let (ok, ohung) = (obs.killable(), !obs.hung_task.is_empty());
            killable = yes(ok).into();
            hung_task = yes(ohung).into();
            if ok != s.killable() {
                mismatches.push(format!(
                    "kill -9: model says killable={}, kernel says {}",
                    yes(s.killable()),
                    yes(ok)
                ));
            }
            if ohung != s.hung_task() {
                mismatches.push(format!(
                    "hung_task: model says {}, kernel reported {:?}",
                    yes(s.hung_task()),
                    obs.hung_task
                ));
            }
            for w in &s.waits {
                let model = w
                    .wait
                    .map_or("?".into(), |k| format!("{} {}", k.function, k.sleep.word()));
                let kernel = obs.task(w.role).map_or("-".into(), |t| t.innermost(3));
                waits.push(format!(
                    "  {:<3} {:<9} model: {:<40} kernel: {kernel}",
                    w.role,
                    w.thread,
                    format!("{} ({model})", w.at)
                ));
            }
        }
        (false, Outcome::Complete) => {}
        (_, o) => mismatches.push(format!("predicted {predicted}, observed {}", o.word())),
    }
    let result = format!(
        "RESULT kernel={kernel} case={} predicted={predicted} observed={} killable={killable} hung_task={hung_task} version={version}{}",
        case.name,
        obs.outcome.word(),
        if mismatches.is_empty() {
            ""
        } else {
            " MISMATCH"
        }
    );
    Judgement {
        result,
        waits,
        mismatches,
    }
}
