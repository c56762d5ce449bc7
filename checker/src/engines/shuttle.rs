//! The shuttle engine: the runner over shuttle's `Mutex` and `Condvar`.
//!
//! First a DFS over every schedule, once per choice vector, up to the execution cap:
//! when it finishes, the result is exhaustive. shuttle's DFS has no partial-order
//! reduction, so only small scenarios finish. Otherwise PCT (depth 3) and then random
//! schedules sample, half the cap each, with a seed, and a clean run is `inconclusive`.
//!
//! The scheduler is wrapped to record every task it picks, so each violation carries
//! its schedule (the task picks and the choice values, see
//! [`encode_schedule`](crate::engines::schedule::encode_schedule)), and [`replay`] re-runs
//! one through shuttle. The wrapper also stops the run once everything is decided, by
//! starting no new execution.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, PoisonError};

use faultline_protocol::{Machine, Step};
use shuttle::scheduler::{DfsScheduler, PctScheduler, RandomScheduler, Schedule, Scheduler};
use shuttle::scheduler::{Task, TaskId};
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

use crate::engines::choices::Oracle;
use crate::engines::quiet;
use crate::engines::rt::Rt;
use crate::engines::runner::{Ctx, Shared};
use crate::engines::schedule::decode_schedule;
use crate::error::CheckError;
use crate::limit::EngineLimit;

/// shuttle's primitives.
pub(crate) struct Shuttle;

impl Rt for Shuttle {
    type Mutex = shuttle::sync::Mutex<Shared>;
    type Waker = shuttle::sync::Condvar;
    type Guard<'a> = shuttle::sync::MutexGuard<'a, Shared>;
    type Handle = shuttle::thread::JoinHandle<()>;
    const ABORT_EARLY: bool = false;

    fn mutex(s: Shared) -> Self::Mutex {
        shuttle::sync::Mutex::new(s)
    }
    fn waker() -> Self::Waker {
        shuttle::sync::Condvar::new()
    }
    fn lock(m: &Self::Mutex) -> Self::Guard<'_> {
        m.lock().unwrap_or_else(PoisonError::into_inner)
    }
    fn wait<'a>(
        _: &'a Self::Mutex,
        w: &Self::Waker,
        g: Self::Guard<'a>,
    ) -> Option<Self::Guard<'a>> {
        Some(w.wait(g).unwrap_or_else(PoisonError::into_inner))
    }
    fn wake(w: &Self::Waker, _exit: bool) {
        w.notify_one();
    }
    fn spawn(f: Box<dyn FnOnce() + Send>) -> Self::Handle {
        shuttle::thread::spawn(f)
    }
    fn join(h: Self::Handle) {
        let _ = h.join();
    }
}

/// Records the tasks the inner scheduler picks; starts no execution once the check is
/// decided.
struct Recorder<S> {
    inner: S,
    ctx: Arc<Ctx>,
}

impl<S: Scheduler> Scheduler for Recorder<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.ctx.finished() {
            return None;
        }
        let mut log = self.ctx.log();
        log.schedule.clear();
        log.stopped = false;
        drop(log);
        self.inner.new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let mut log = self.ctx.log();
        if log.stopped {
            return None;
        }
        // Only who runs after a step's release, or after the running task blocks or
        // ends, decides an order of steps; everywhere else the running task goes on,
        // so the schedulers explore step orders rather than orders of bookkeeping.
        let yield_point = std::mem::take(&mut log.yield_point);
        drop(log);
        let running = current.filter(|c| runnable.iter().any(|t| t.id() == *c));
        let t = match running {
            Some(c) if !yield_point => c,
            _ => self.inner.next_task(runnable, current, is_yielding)?,
        };
        self.ctx.log().schedule.push(usize::from(t));
        Some(t)
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}

/// Follows recorded task picks; when they run out the execution ends.
struct Replayer {
    tasks: Vec<usize>,
    pos: usize,
    started: bool,
    ctx: Arc<Ctx>,
}

impl Scheduler for Replayer {
    fn new_execution(&mut self) -> Option<Schedule> {
        if std::mem::replace(&mut self.started, true) {
            return None;
        }
        Some(Schedule::new(0))
    }

    fn next_task(&mut self, runnable: &[&Task], _: Option<TaskId>, _: bool) -> Option<TaskId> {
        let want = self.tasks.get(self.pos).map(|&t| TaskId::from(t));
        self.pos += 1;
        match want {
            Some(t) if runnable.iter().any(|r| r.id() == t) => {
                self.ctx.log().replay_used = self.pos;
                Some(t)
            }
            _ => {
                let mut log = self.ctx.log();
                log.replay_diverged |= want.is_some();
                log.replay_over = true;
                runnable.first().map(|r| r.id())
            }
        }
    }

    fn next_u64(&mut self) -> u64 {
        0
    }
}

fn config() -> Config {
    let mut c = Config::new();
    c.failure_persistence = FailurePersistence::None;
    c.silence_warnings = true;
    c.stack_size = 1 << 18;
    // A sampled execution around a cycle (reclaim and a fault taking turns) ends here
    // instead of failing; exhaustive runs cut cycles at the first revisit.
    c.max_steps = MaxSteps::ContinueAfter(100_000);
    c
}

/// Runs the model's executions under `scheduler`, panics caught and kept quiet;
/// returns the iterations shuttle ran.
fn run_caught<S: Scheduler + 'static>(ctx: &Arc<Ctx>, scheduler: S) -> std::thread::Result<usize> {
    let runner = Runner::new(scheduler, config());
    let run = Arc::clone(ctx);
    quiet::silenced(|| {
        catch_unwind(AssertUnwindSafe(|| {
            runner.run(move || run.execution::<Shuttle>())
        }))
    })
}

/// Runs `scheduler` under the recorder; returns the executions it ran.
fn run_with<S: Scheduler + 'static>(ctx: &Arc<Ctx>, scheduler: S) -> Result<u64, CheckError> {
    let recorder = Recorder {
        inner: scheduler,
        ctx: Arc::clone(ctx),
    };
    match run_caught(ctx, recorder) {
        // Iterations as the scheduler counts them.
        Ok(n) => Ok(n as u64),
        // shuttle's own deadlock report (the backstop), kept as a counterexample; the
        // run ended there, so it counts as capped.
        Err(p)
            if quiet::message(p.as_ref()).starts_with("deadlock")
                && ctx.record_engine_deadlock() =>
        {
            Ok(u64::MAX)
        }
        Err(p) => Err(CheckError::Engine {
            engine: "shuttle",
            message: quiet::message(p.as_ref())
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
            token: crate::engines::runner::token(&ctx.log().current),
        }),
    }
}

/// DFS per choice vector up to `cap` executions; if that does not finish, PCT and
/// random with `seed`, `cap / 2` each.
pub(crate) fn check(
    ctx: &Arc<Ctx>,
    cap: u64,
    seed: u64,
) -> Result<Option<EngineLimit>, CheckError> {
    let usize_cap = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let mut exhausted = true;
    ctx.log().first = Some(HashMap::new());
    while let Some(prefix) = ctx.next_vector() {
        let remaining = cap.saturating_sub(ctx.log().executions);
        if ctx.finished() {
            return Ok(None);
        }
        if remaining == 0 {
            exhausted = false;
            break;
        }
        ctx.log().oracle = Oracle::exhaustive(prefix);
        let ran = run_with(ctx, DfsScheduler::new(Some(usize_cap(remaining)), false))?;
        if ran >= remaining && !ctx.finished() {
            exhausted = false;
            break;
        }
    }
    if exhausted || ctx.finished() {
        return Ok(None);
    }
    let half = usize_cap((cap / 2).max(1));
    // Sampling walks from the start every time: cutting them at known worlds would keep
    // them near the start.
    ctx.log().first = None;
    ctx.log().oracle = Oracle::random(seed);
    run_with(ctx, PctScheduler::new_from_seed(seed, 3, half))?;
    run_with(ctx, RandomScheduler::new_from_seed(seed, half))?;
    Ok(Some(EngineLimit::ShuttleSampled {
        executions: ctx.log().executions,
        seed,
    }))
}

/// Re-runs a recorded schedule; returns the model steps it takes.
pub(crate) fn replay(ctx: &Arc<Ctx>, schedule: &str) -> Result<Vec<Step>, CheckError> {
    let bad = || CheckError::BadSchedule {
        schedule: schedule.to_string(),
    };
    let (tasks, choices) = decode_schedule(schedule).ok_or_else(bad)?;
    let (n_tasks, tasks_empty) = (tasks.len(), tasks.is_empty());
    ctx.log().oracle = Oracle::exhaustive(choices.clone());
    let replayer = Replayer {
        tasks,
        pos: 0,
        started: false,
        ctx: Arc::clone(ctx),
    };
    if tasks_empty || run_caught(ctx, replayer).is_err() {
        return Err(bad());
    }
    // Bound like a step token: every pick and every choice is used as written.
    let log = ctx.log();
    let taken = log.oracle.values();
    let why = if log.replay_diverged {
        Some("it picks a task that cannot run here")
    } else if log.replay_used < n_tasks {
        Some("the run ends before the schedule does")
    } else if taken.len() < choices.len() || taken[..choices.len()] != choices[..] {
        Some("its choices do not fit the model's choice points")
    } else {
        None
    };
    if let Some(why) = why {
        return Err(CheckError::ScheduleMismatch {
            schedule: schedule.to_string(),
            why,
        });
    }
    Ok(log.current.clone())
}

/// A context for replaying on `m` (no property stops the run early).
pub(crate) fn replay_ctx(m: &Machine) -> Arc<Ctx> {
    Arc::new(Ctx::new(m, &[], Vec::new(), Oracle::default(), 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The backstop relies on this: shuttle's own deadlock report is a catchable panic
    /// that says so.
    #[test]
    fn a_shuttle_deadlock_is_a_catchable_panic_that_names_itself() {
        let r = quiet::silenced(|| {
            catch_unwind(|| {
                let mut c = config();
                c.max_steps = MaxSteps::FailAfter(1_000);
                Runner::new(DfsScheduler::new(Some(1), false), c).run(|| {
                    // Nobody ever notifies it.
                    let m = shuttle::sync::Mutex::new(());
                    let cv = shuttle::sync::Condvar::new();
                    let g = m.lock().unwrap_or_else(PoisonError::into_inner);
                    let _g = cv.wait(g);
                });
            })
        });
        let payload = r.expect_err("shuttle reports the deadlock");
        let message = quiet::message(payload.as_ref());
        assert!(message.starts_with("deadlock"), "{message}");
    }
}
