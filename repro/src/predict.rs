//! The model's prediction for a case on a kernel: the checker's deadlock verdict, and
//! every deadlock state the model reaches with each stuck thread's kernel wait.

use faultline_checker::{Budget, Property, Verdict, deadlocks, explore};
use faultline_models::{Kernel, KernelWait, Kill, build, kill, scenario};
use faultline_protocol::{Machine, World};

use crate::builds::{Build, STOCK};
use crate::cases::Case;
use crate::error::ReproError;

/// A stuck thread at a model deadlock and the kernel wait it stands for.
#[derive(Clone, Debug)]
pub struct ModelWait {
    /// Model thread name (`fault`).
    pub thread: String,
    /// Test role (`T1`).
    pub role: &'static str,
    /// The op it is blocked at and its site (`folio_lock in lock_folio_maybe_drop_mmap`).
    pub at: String,
    /// The kernel wait (`None` if the op has no entry in the kernel table: a gap).
    pub wait: Option<KernelWait>,
}

/// One deadlock state of the model.
#[derive(Clone, Debug)]
pub struct Stuck {
    /// Every blocked thread.
    pub waits: Vec<ModelWait>,
    /// What `kill -9` of the faulting process does to it, and hung_task
    /// ([`faultline_models::kill`], per thread with the reason).
    pub kill: Kill,
}

impl Stuck {
    /// Whether its stuck threads are exactly `names` (model thread names).
    pub fn is(&self, names: &[&str]) -> bool {
        let mut have: Vec<&str> = self.waits.iter().map(|w| w.thread.as_str()).collect();
        let mut want = names.to_vec();
        have.sort_unstable();
        want.sort_unstable();
        have == want
    }

    /// `kill -9` of the faulting process ends it.
    pub fn killable(&self) -> bool {
        self.kill.ends
    }

    /// hung_task reports it: a stuck thread sleeps in `TASK_UNINTERRUPTIBLE`.
    pub fn hung_task(&self) -> bool {
        self.kill.hung_task
    }
}

/// What the model says about a case on a kernel.
#[derive(Clone, Debug)]
pub struct Prediction {
    /// The knobs the model was built with (`eviction=dio-mmap ... kernel=6.12`).
    pub knobs: String,
    /// The checker's verdict: a deadlock is reachable.
    pub hang: bool,
    /// What the checker explored (states, transitions, time).
    pub stats: faultline_checker::Stats,
    /// Every reachable deadlock state, shortest-first (BFS order).
    pub stuck: Vec<Stuck>,
}

impl Prediction {
    /// The model deadlock states that answer the case's question: those with the case's
    /// own stuck threads (the test's order rules out the others), or, for a control
    /// (no cycle named), every one.
    pub fn of_case(&self, case: &Case) -> Vec<&Stuck> {
        self.stuck
            .iter()
            .filter(|s| case.stuck.is_empty() || s.is(case.stuck))
            .collect()
    }

    /// The case's answer: its cycle (a control: any deadlock) is reachable.
    pub fn case_hangs(&self, case: &Case) -> bool {
        !self.of_case(case).is_empty()
    }
}

/// Runs the model check for `case` on a Debian kernel (`6.1`, `6.12`, `7.2`).
pub fn predict(case: &Case, kernel: &str) -> Result<Prediction, ReproError> {
    predict_for(case, kernel, &STOCK)
}

/// Runs the model check for `case` on `kernel` built as `b` (its design and knobs).
pub fn predict_for(case: &Case, kernel: &str, b: &Build) -> Result<Prediction, ReproError> {
    let bad = |source| ReproError::Model {
        case: case.name.into(),
        source,
    };
    let mut sets: Vec<(String, String)> = case
        .sets
        .iter()
        .chain(b.sets)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // only the scenarios that mirror a kernel test step by step pin the kernel
    if scenario(case.scenario).map_err(bad)?.is_kernel() {
        sets.push(("kernel".into(), crate::cases::knob_of(kernel).into()));
    }
    let model = build(b.design, case.scenario, &sets).map_err(bad)?;
    let knobs = model
        .knobs
        .pairs()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ");
    predict_machine(case, &model.machine, Kernel::of(&model.knobs), knobs)
}

/// The prediction for `case` from a machine built elsewhere (a scenario change tried
/// out before it lands in the catalog), whose sleeps are `kernel`'s.
fn predict_machine(
    case: &Case,
    m: &Machine,
    kernel: Kernel,
    knobs: String,
) -> Result<Prediction, ReproError> {
    let failed = |e: faultline_checker::CheckError| ReproError::Machine {
        case: case.name.into(),
        message: e.to_string(),
    };
    let report = explore(m, &[Property::Deadlock], &Budget::default()).map_err(failed)?;
    let hang = match report.results.first().map(|r| &r.verdict) {
        Some(Verdict::Violated(_)) => true,
        Some(Verdict::Holds) => false,
        _ => return Err(ReproError::Undecided(case.name.into())),
    };
    let (found, _) = deadlocks(m, &Budget::default()).map_err(failed)?;
    if found.stopped.is_some() {
        return Err(ReproError::Undecided(case.name.into()));
    }
    let stuck = found
        .states
        .iter()
        .map(|d| stuck_at(case, m, &d.world, kernel))
        .collect::<Vec<_>>();
    if hang == stuck.is_empty() {
        return Err(ReproError::Machine {
            case: case.name.into(),
            message: "the checker and the deadlock search disagree".into(),
        });
    }
    Ok(Prediction {
        knobs,
        hang,
        stats: report.stats,
        stuck,
    })
}

fn stuck_at(case: &Case, m: &Machine, w: &World, k: Kernel) -> Stuck {
    let kill = kill(m, w, k);
    let waits = kill
        .threads
        .iter()
        .map(|t| ModelWait {
            thread: t.name.clone(),
            role: case.role(&t.name).unwrap_or("?"),
            at: t.at.clone(),
            wait: t.wait,
        })
        .collect();
    Stuck { waits, kill }
}
