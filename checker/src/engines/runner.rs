//! The runner loom and shuttle both execute: one engine thread per model thread, each
//! stepping the protocol's step function under one engine `Mutex` over the world.
//!
//! - A participant whose next step is not enabled waits (shuttle: on its own
//!   `Condvar`; loom: parked, see the loom module). After every step the stepping
//!   participant wakes exactly the waiters that now have something to do (a step, or
//!   exit). Waking only those keeps the engines from exploring the order of wake-ups
//!   that change nothing; a woken participant always acts, so no interleaving of steps
//!   is lost.
//! - The environment (disk completions, reclaim, the rwsem handoff) is one more
//!   participant, run on the engine's main thread after it has spawned the model
//!   threads. It takes one enabled environment step whenever it gets the lock (which
//!   one is a choice); *not* taking a step yet is the engine scheduling someone else
//!   first. So loom needs one thread per model thread plus main: at most 4 model threads
//!   under loom's cap of 5.
//! - Thread choices and the environment's pick go through the [`Oracle`].
//! - After every step (and at the initial world) each per-state property is evaluated
//!   with the shared evaluator, and the steps so far are kept for the first violating
//!   execution. A world with no enabled step at all and unfinished threads ends the
//!   execution cleanly (everyone exits), so the engines' own deadlock detection (a panic)
//!   is only a backstop.
//! - A daemon idling for work exits once [`Machine::all_done`] says the run may end, as
//!   the native engine's deadlock property treats it.
//! - Exhaustive runs are *stateful*: the first execution to reach a world records its
//!   history (every engine operation so far, in order); a later execution that reaches
//!   the same world with another history ends there, and so does an acquisition that
//!   steps nothing. This is the native engine's visited set, transplanted: the first
//!   visit's execution is continued by the engine in every order of the participants
//!   that can step there, so every reachable world is still visited (the differential
//!   tests check the distinct-state count against the native engine), while loom and
//!   shuttle run thousands of executions instead of one per interleaving. The decision
//!   depends only on the schedule so far, so replaying a prefix behaves the same, as
//!   both engines require.
//!
//! Results live in std structures ([`Log`] behind a `std::sync::Mutex`, the context in a
//! `std::sync::Arc`): loom's `Arc` would abort the process when a deadlock panic unwinds.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use faultline_protocol::{Machine, Status, Step, Tid, World};

use crate::engines::choices::Oracle;
use crate::engines::rt::Rt;
use crate::engines::schedule::encode_schedule;
use crate::error::CheckError;
use crate::property::Property;
use crate::verdict::Stats;

// Engine operations, as recorded in the history (kind << 8 | participant).
const EV_LOCK: u16 = 1;
const EV_LOCKED: u16 = 2;
const EV_RELEASE: u16 = 3;
const EV_WAIT: u16 = 4;
const EV_WOKEN: u16 = 5;
const EV_NOTIFY: u16 = 6;
const EV_EXIT: u16 = 7;

/// The panic payload that stops a loom run early.
pub(crate) struct Stop;

/// One execution's state, under the engine mutex.
#[derive(Debug)]
pub(crate) struct Shared {
    world: World,
    steps: Vec<Step>,
    stop: bool,
    /// `stop_exploring` was called in this execution.
    unexplored: bool,
    /// Per participant (model threads, then the environment): waiting on its condvar.
    waiting: Vec<bool>,
}

/// A violating execution.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    /// Its steps up to the first violating world.
    pub(crate) steps: Vec<Step>,
    /// The shuttle schedule that reproduces it (see [`encode_schedule`]).
    pub(crate) schedule: Option<String>,
}

/// What the runs found, across executions.
#[derive(Debug, Default)]
pub(crate) struct Log {
    /// The choice source.
    pub(crate) oracle: Oracle,
    /// Per requested property: the first violating execution.
    pub(crate) found: Vec<Option<Found>>,
    /// A model error, which stops everything.
    pub(crate) error: Option<CheckError>,
    /// Distinct worlds seen.
    pub(crate) states: HashSet<World>,
    /// Steps taken.
    pub(crate) transitions: u64,
    /// Longest execution.
    pub(crate) depth: u32,
    /// Executions begun.
    pub(crate) executions: u64,
    /// shuttle's task choices in the current execution (filled by its scheduler).
    pub(crate) schedule: Vec<usize>,
    /// A participant is about to release the lock after a step: the scheduler's
    /// choice here matters (shuttle's scheduler lets the running task go on elsewhere).
    pub(crate) yield_point: bool,
    /// A replayed shuttle schedule ran out: participants exit.
    pub(crate) replay_over: bool,
    /// Picks of a replayed schedule used, and whether one named a task that could
    /// not run (a schedule of another model).
    pub(crate) replay_used: usize,
    pub(crate) replay_diverged: bool,
    /// The steps of the current execution (a copy outside the engine, for the
    /// engine's own deadlock reports).
    pub(crate) current: Vec<Step>,
    /// Stateful search: the step sequence that first reached each world. An execution
    /// that reaches a world through another sequence ends there.
    pub(crate) first: Option<HashMap<World, Vec<u16>>>,
    /// This execution's engine operations so far (lock, wait, wake, exit per
    /// participant), the history stateful search keys on.
    events: Vec<u16>,
    /// The current execution has stopped (its remaining schedule is irrelevant).
    pub(crate) stopped: bool,
    /// Choice vectors already scheduled.
    seen: HashSet<Vec<u8>>,
    /// Choice vectors still to run.
    pending: Vec<Vec<u8>>,
}

impl Log {
    /// The counts so far, for progress lines and the final report.
    pub(crate) fn stats(&self, start: Instant) -> Stats {
        Stats {
            states: self.states.len() as u64,
            transitions: self.transitions,
            depth: self.depth,
            elapsed: start.elapsed(),
            bytes: 0,
            executions: self.executions,
            ..Stats::default()
        }
    }
}

/// The context of one check: the machine, the properties, the log.
#[derive(Debug)]
pub(crate) struct Ctx {
    machine: Machine,
    props: Vec<Property>,
    /// Per requested property: evaluated on every world (false for liveness).
    checked: Vec<bool>,
    env: bool,
    seed: u64,
    finished: AtomicBool,
    log: Mutex<Log>,
}

enum Next {
    Run,
    Wait,
    Exit,
}

enum Act {
    Stepped,
    Wait,
    Exit,
}

struct Monitor<R: Rt> {
    lock: R::Mutex,
    wakers: Vec<R::Waker>,
}

impl Ctx {
    /// A context; `checked[k]` says whether `props[k]` is evaluated on every world.
    pub(crate) fn new(
        machine: &Machine,
        props: &[Property],
        checked: Vec<bool>,
        oracle: Oracle,
        seed: u64,
    ) -> Ctx {
        Ctx {
            env: needs_env(machine),
            machine: machine.clone(),
            props: props.to_vec(),
            checked,
            seed,
            finished: AtomicBool::new(false),
            log: Mutex::new(Log {
                oracle,
                found: vec![None; props.len()],
                pending: vec![Vec::new()],
                ..Log::default()
            }),
        }
    }

    /// The log (never held across an engine operation).
    pub(crate) fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The machine (loom checks its thread count).
    #[cfg(feature = "loom")]
    pub(crate) fn machine(&self) -> &Machine {
        &self.machine
    }

    /// Every checked property is violated, or a model error stopped the check.
    pub(crate) fn finished(&self) -> bool {
        self.finished.load(Ordering::Relaxed)
    }

    /// One execution: the body of the engine's model closure.
    pub(crate) fn execution<R: Rt>(self: &Arc<Self>) {
        let n = self.machine.threads().len();
        let mut shared = Shared {
            world: self.machine.initial(),
            steps: Vec::new(),
            stop: false,
            unexplored: false,
            waiting: vec![false; n + 1],
        };
        {
            let mut log = self.log();
            let index = log.executions;
            log.executions += 1;
            log.oracle.begin(self.seed, index);
            log.current.clear();
            log.events.clear();
            log.stopped = false;
        }
        self.observe::<R>(&mut shared);
        // Where each spawn falls among the first steps changes no step order: do not
        // let the engine explore it.
        let quiet_spawns = !shared.unexplored;
        if quiet_spawns {
            R::stop_exploring();
        }
        let mon = Arc::new(Monitor::<R> {
            lock: R::mutex(shared),
            wakers: (0..=n).map(|_| R::waker()).collect(),
        });
        let handles: Vec<R::Handle> = (0..n)
            .map(|who| {
                let (ctx, mon) = (Arc::clone(self), Arc::clone(&mon));
                R::spawn(Box::new(move || ctx.participant(&mon, who)))
            })
            .collect();
        if quiet_spawns {
            R::explore();
        }
        if self.env {
            self.participant(&mon, n);
        }
        for h in handles {
            R::join(h);
        }
    }

    /// Keeps the current execution as the deadlock counterexample (the engine itself
    /// reported a deadlock); false if deadlock was not asked for.
    pub(crate) fn record_engine_deadlock(&self) -> bool {
        let mut log = self.log();
        let Some(k) = self.props.iter().position(|&p| p == Property::Deadlock) else {
            return false;
        };
        if log.found[k].is_none() {
            let steps = log.current.clone();
            log.found[k] = Some(Found {
                steps,
                schedule: None,
            });
        }
        true
    }

    /// The next choice vector to run, if any is left.
    pub(crate) fn next_vector(&self) -> Option<Vec<u8>> {
        self.log().pending.pop()
    }

    fn participant<R: Rt>(&self, mon: &Monitor<R>, who: usize) {
        R::register(&mon.wakers[who]);
        let mut g = self.acquire::<R>(mon, who);
        let mut act = self.act::<R>(&mut g, who);
        loop {
            act = match act {
                Act::Stepped => {
                    self.wake::<R>(&mut g, &mon.wakers);
                    // Waiting or exiting right away needs no second acquisition, which
                    // would only give the engine more orders to explore.
                    match self.next(&g, who) {
                        Next::Wait => Act::Wait,
                        Next::Exit => Act::Exit,
                        Next::Run => {
                            self.event(EV_RELEASE, who);
                            drop(g);
                            self.abort_if_finished::<R>();
                            g = self.acquire::<R>(mon, who);
                            self.act::<R>(&mut g, who)
                        }
                    }
                }
                Act::Wait => {
                    g.waiting[who] = true;
                    self.event(EV_WAIT, who);
                    match R::wait(&mon.lock, &mon.wakers[who], g) {
                        Some(again) => g = again,
                        None => {
                            self.event(EV_EXIT, who);
                            self.abort_if_finished::<R>();
                            return;
                        }
                    }
                    self.event(EV_WOKEN, who);
                    self.act::<R>(&mut g, who)
                }
                Act::Exit => {
                    self.wake::<R>(&mut g, &mon.wakers);
                    self.event(EV_EXIT, who);
                    drop(g);
                    self.abort_if_finished::<R>();
                    return;
                }
            }
        }
    }

    /// Takes the lock at a point where any participant may go first.
    fn acquire<'m, R: Rt>(&self, mon: &'m Monitor<R>, who: usize) -> R::Guard<'m> {
        // The next scheduling point is the one before this acquisition (shuttle's
        // scheduler lets the running task go on at every other point).
        self.log().yield_point = true;
        self.event(EV_LOCK, who);
        let g = R::lock(&mon.lock);
        self.event(EV_LOCKED, who);
        g
    }

    fn event(&self, kind: u16, who: usize) {
        self.log().events.push(kind << 8 | who as u16);
    }

    /// Stops a loom run once everything is decided. Only ever called without the engine
    /// lock held: unwinding a loom guard outside the scheduler would panic again and
    /// abort.
    fn abort_if_finished<R: Rt>(&self) {
        if R::ABORT_EARLY && self.finished() {
            std::panic::panic_any(Stop);
        }
    }

    /// Wakes every waiter that now has something to do.
    fn wake<R: Rt>(&self, sh: &mut Shared, wakers: &[R::Waker]) {
        for (who, w) in wakers.iter().enumerate() {
            if !sh.waiting[who] {
                continue;
            }
            let exit = match self.next(sh, who) {
                Next::Wait => continue,
                Next::Run => false,
                Next::Exit => true,
            };
            sh.waiting[who] = false;
            self.event(EV_NOTIFY, who);
            R::wake(w, exit);
        }
    }

    /// What participant `who` would do now (no side effects).
    fn next(&self, sh: &Shared, who: usize) -> Next {
        if sh.stop {
            return Next::Exit;
        }
        let (m, w) = (&self.machine, &sh.world);
        if who < m.threads().len() {
            match m.status(w, Tid(who as u8)) {
                Status::Ready { .. } => Next::Run,
                Status::Exited => Next::Exit,
                Status::Idle if m.all_done(w) => Next::Exit,
                Status::Idle | Status::Blocked(_) => Next::Wait,
            }
        } else if !env_steps(m, w).is_empty() {
            Next::Run
        } else if m.all_done(w) {
            Next::Exit
        } else {
            Next::Wait
        }
    }

    fn act<R: Rt>(&self, sh: &mut Shared, who: usize) -> Act {
        if self.log().replay_over {
            self.halt::<R>(sh);
        }
        match self.next(sh, who) {
            Next::Run => {}
            // An acquisition that steps nothing leaves the world as it was, so in a
            // stateful search the world is known: end the execution here. Every
            // acquisition that steps is still explored in another order.
            _ if !sh.stop && self.log().first.is_some() => {
                self.halt::<R>(sh);
                return Act::Exit;
            }
            Next::Wait => return Act::Wait,
            Next::Exit => return Act::Exit,
        }
        let (m, w) = (&self.machine, sh.world);
        let step = if who < m.threads().len() {
            let tid = Tid(who as u8);
            let choices = match m.status(&w, tid) {
                Status::Ready { choices } => choices,
                _ => 1,
            };
            Step::Thread {
                tid,
                choice: self.choose(choices),
            }
        } else {
            let env = env_steps(m, &w);
            env[usize::from(self.choose(env.len() as u8))]
        };
        sh.steps.push(step);
        self.log().current.push(step);
        match m.apply(&w, step) {
            Ok(next) => {
                sh.world = next;
                self.observe::<R>(sh);
            }
            Err(error) => {
                let token = token(&sh.steps);
                self.log()
                    .error
                    .get_or_insert(CheckError::Model { error, token });
                self.finished.store(true, Ordering::Relaxed);
                self.halt::<R>(sh);
            }
        }
        Act::Stepped
    }

    fn choose(&self, arity: u8) -> u8 {
        if arity <= 1 {
            return 0;
        }
        let mut log = self.log();
        let v = log.oracle.choose(arity);
        let Log {
            oracle,
            seen,
            pending,
            ..
        } = &mut *log;
        pending.extend(oracle.children_of_last(seen));
        v
    }

    /// Ends the execution: everyone exits, and the engine need not explore how.
    fn halt<R: Rt>(&self, sh: &mut Shared) {
        sh.stop = true;
        self.log().stopped = true;
        if !std::mem::replace(&mut sh.unexplored, true) {
            R::stop_exploring();
        }
    }

    /// Evaluates the properties on the current world and records what they find.
    fn observe<R: Rt>(&self, sh: &mut Shared) {
        let (m, w) = (&self.machine, &sh.world);
        let mut enabled = Vec::new();
        m.enabled(w, &mut enabled);
        let mut log = self.log();
        log.states.insert(*w);
        // Reached before through another history: everything from here is explored
        // from that visit. The history is every engine operation in order, not just the
        // steps: executions that differ only in bookkeeping (where a wait or a wake-up
        // fell) end here too, and the decision is a function of the schedule, as the
        // engines need when they replay a prefix.
        let mut revisit = false;
        let Log { first, events, .. } = &mut *log;
        if let Some(first) = first {
            match first.get(w) {
                None => {
                    first.insert(*w, events.clone());
                }
                Some(s) => revisit = s != events,
            }
        }
        log.transitions += u64::from(!sh.steps.is_empty());
        log.depth = log.depth.max(sh.steps.len() as u32);
        for (k, p) in self.props.iter().enumerate() {
            if self.checked[k] && log.found[k].is_none() && p.violated_at(m, w, &enabled) {
                let schedule = (!log.schedule.is_empty())
                    .then(|| encode_schedule(&log.schedule, &log.oracle.values()));
                log.found[k] = Some(Found {
                    steps: sh.steps.clone(),
                    schedule,
                });
            }
        }
        let decided = self.checked.contains(&true)
            && (0..self.props.len()).all(|k| !self.checked[k] || log.found[k].is_some());
        if decided {
            self.finished.store(true, Ordering::Relaxed);
        }
        // Nothing can ever run again: end the execution instead of letting the engine
        // report a deadlock. Once everything is decided, end it too.
        drop(log);
        if (enabled.is_empty() && !m.all_done(w)) || decided || revisit {
            self.halt::<R>(sh);
        }
    }
}

/// Whether any environment step can ever be enabled: disk I/O, reclaim or handoff.
fn needs_env(m: &Machine) -> bool {
    use faultline_protocol::{Admission, Backend, Reclaim};
    m.folios().iter().any(|f| f.backend == Backend::Disk)
        || m.reclaim() != Reclaim::Bounded(0)
        || m.admission() == Admission::Steal
}

/// The enabled environment steps of `w`, in `Machine::enabled` order.
fn env_steps(m: &Machine, w: &World) -> Vec<Step> {
    let mut v = Vec::new();
    m.enabled(w, &mut v);
    v.retain(|s| s.tid().is_none());
    v
}

/// The replay token of `steps`.
pub(crate) fn token(steps: &[Step]) -> String {
    steps
        .iter()
        .map(Step::to_string)
        .collect::<Vec<_>>()
        .join(",")
}
