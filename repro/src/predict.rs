//! The model's prediction for a case on a kernel: the checker's deadlock verdict, and
//! every deadlock state the model reaches with each stuck thread's kernel wait.

use faultline_checker::{Budget, Property, Verdict, deadlocks, explore};
use faultline_models::{Kernel, KernelWait, Sleep, build, wait_at};
use faultline_protocol::{Machine, World};

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
    /// It runs in another process than the faulting one.
    pub other_process: bool,
}

/// One deadlock state of the model.
#[derive(Clone, Debug)]
pub struct Stuck {
    /// Every blocked thread.
    pub waits: Vec<ModelWait>,
}

impl Stuck {
    /// `kill -9` of the faulting process ends it: one of its stuck threads sleeps
    /// killably, so the fatal signal wakes it and it leaves the cycle.
    pub fn killable(&self) -> bool {
        self.waits
            .iter()
            .any(|w| !w.other_process && w.wait.is_some_and(|k| k.sleep == Sleep::Killable))
    }

    /// hung_task reports it: a stuck thread sleeps in `TASK_UNINTERRUPTIBLE`.
    pub fn hung_task(&self) -> bool {
        self.waits
            .iter()
            .any(|w| w.wait.is_some_and(|k| k.sleep == Sleep::Uninterruptible))
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

/// Runs the model check for `case` on `kernel` (`6.1`, `6.12`).
pub fn predict(case: &Case, kernel: &str) -> Result<Prediction, ReproError> {
    let mut sets: Vec<(String, String)> = case
        .sets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    sets.push(("kernel".into(), kernel.into()));
    let model = build("upstream", case.scenario, &sets).map_err(|source| ReproError::Model {
        case: case.name.into(),
        source,
    })?;
    let report =
        explore(&model.machine, &[Property::Deadlock], &Budget::default()).map_err(|e| {
            ReproError::Machine {
                case: case.name.into(),
                message: e.to_string(),
            }
        })?;
    let hang = match report.results.first().map(|r| &r.verdict) {
        Some(Verdict::Violated(_)) => true,
        Some(Verdict::Holds) => false,
        _ => return Err(ReproError::Undecided(case.name.into())),
    };
    let k = Kernel::of(&model.knobs);
    let (found, _) =
        deadlocks(&model.machine, &Budget::default()).map_err(|e| ReproError::Machine {
            case: case.name.into(),
            message: e.to_string(),
        })?;
    if found.stopped.is_some() {
        return Err(ReproError::Undecided(case.name.into()));
    }
    let stuck = found
        .states
        .iter()
        .map(|d| stuck_at(case, &model.machine, &d.world, k))
        .collect::<Vec<_>>();
    if hang == stuck.is_empty() {
        return Err(ReproError::Machine {
            case: case.name.into(),
            message: "the checker and the deadlock search disagree".into(),
        });
    }
    Ok(Prediction {
        knobs: model
            .knobs
            .pairs()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
        hang,
        stats: report.stats,
        stuck,
    })
}

fn stuck_at(case: &Case, m: &Machine, w: &World, k: Kernel) -> Stuck {
    let waits = m
        .tids()
        .filter(|&t| m.blocked_on(w, t).is_some())
        .map(|t| {
            let spec = &m.threads()[t.index()];
            let pc = w.thread(t).pc;
            let at = spec
                .program
                .get(pc)
                .map(|i| format!("{} in {}", i.op.kernel_name(), i.site))
                .unwrap_or_default();
            ModelWait {
                thread: spec.name.clone(),
                role: case.role(&spec.name).unwrap_or("?"),
                at,
                wait: wait_at(k, &spec.program, pc),
                other_process: case.other_process.contains(&spec.name.as_str()),
            }
        })
        .collect();
    Stuck { waits }
}
