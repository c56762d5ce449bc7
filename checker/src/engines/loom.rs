//! The loom engine: the runner over loom's `Mutex` and parked threads, one loom run
//! per choice vector, exhaustive for scenarios of at most [`MAX_MODEL_THREADS`]
//! threads.
//!
//! loom allows 5 threads including the model's main thread. Main spawns the model
//! threads and then plays the environment itself, so 4 model threads fit. loom's own
//! deadlock panic can only be a backstop (the runner ends a stuck execution itself);
//! it and the early stop are caught with `catch_unwind`, which works because the
//! runner's shared state is in `std::sync::Arc`, never loom's.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::engines::quiet;
use crate::engines::rt::Rt;
use crate::engines::runner::{Ctx, Shared, Stop};
use crate::error::CheckError;
use crate::limit::EngineLimit;

/// The most model threads loom can run (its cap of 5 threads includes main).
pub(crate) const MAX_MODEL_THREADS: usize = super::LOOM_MAX_THREADS;

/// Longest execution loom may explore, in branch points.
const MAX_BRANCHES: usize = 100_000;

/// loom's primitives.
pub(crate) struct Loom;

const IDLE: u8 = 0;
const ACT: u8 = 1;
const LEAVE: u8 = 2;

/// A parked participant and why it was woken. Waiting by parking rather than on a
/// loom `Condvar` lets a participant woken only to leave go without taking the lock
/// again: that last acquisition would race with every earlier one, and loom answers
/// a race with a thread that was blocked at the time by exploring *every* thread
/// there. The signal is a std atomic: loom runs all its threads on one OS thread, and
/// park/unpark orders the store before the load.
#[derive(Debug, Default)]
pub(crate) struct Parked {
    signal: AtomicU8,
    thread: Mutex<Option<loom::thread::Thread>>,
}

impl Rt for Loom {
    type Mutex = loom::sync::Mutex<Shared>;
    type Waker = Parked;
    type Guard<'a> = loom::sync::MutexGuard<'a, Shared>;
    type Handle = loom::thread::JoinHandle<()>;
    const ABORT_EARLY: bool = true;

    fn mutex(s: Shared) -> Self::Mutex {
        loom::sync::Mutex::new(s)
    }
    fn waker() -> Self::Waker {
        Parked::default()
    }
    fn lock(m: &Self::Mutex) -> Self::Guard<'_> {
        m.lock().unwrap_or_else(PoisonError::into_inner)
    }
    fn register(w: &Self::Waker) {
        *w.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(loom::thread::current());
    }
    fn wait<'a>(
        m: &'a Self::Mutex,
        w: &Self::Waker,
        g: Self::Guard<'a>,
    ) -> Option<Self::Guard<'a>> {
        drop(g);
        loop {
            match w.signal.swap(IDLE, Ordering::Relaxed) {
                ACT => return Some(Self::lock(m)),
                LEAVE => return None,
                _ => loom::thread::park(),
            }
        }
    }
    fn wake(w: &Self::Waker, exit: bool) {
        w.signal
            .store(if exit { LEAVE } else { ACT }, Ordering::Relaxed);
        if let Some(t) = &*w.thread.lock().unwrap_or_else(PoisonError::into_inner) {
            t.unpark();
        }
    }
    fn spawn(f: Box<dyn FnOnce() + Send>) -> Self::Handle {
        loom::thread::spawn(f)
    }
    fn join(h: Self::Handle) {
        // A model thread never panics except to stop the run, which unwinds past here.
        let _ = h.join();
    }
    fn stop_exploring() {
        loom::stop_exploring();
    }
    fn explore() {
        loom::explore();
    }
}

/// Runs every choice vector under loom until everything is decided or `cap`
/// executions have run. Returns why it stopped short, if it did.
pub(crate) fn check(ctx: &Arc<Ctx>, cap: u64) -> Result<Option<EngineLimit>, CheckError> {
    let threads = ctx.machine().threads().len();
    if threads > MAX_MODEL_THREADS {
        return Err(CheckError::TooManyThreads {
            engine: "loom",
            threads,
            max: MAX_MODEL_THREADS,
        });
    }
    ctx.log().first = Some(HashMap::new());
    while let Some(prefix) = ctx.next_vector() {
        let done = ctx.log().executions;
        if ctx.finished() {
            break;
        }
        let remaining = cap.saturating_sub(done);
        if remaining == 0 {
            return Ok(Some(EngineLimit::LoomCap { executions: done }));
        }
        ctx.log().oracle = crate::engines::choices::Oracle::exhaustive(prefix);
        let mut b = loom::model::Builder::new();
        b.max_threads = MAX_MODEL_THREADS + 1;
        b.max_branches = MAX_BRANCHES;
        b.preemption_bound = None;
        // loom checks its permutation cap only every `checkpoint_interval` iterations.
        b.checkpoint_interval = 1;
        b.max_permutations =
            Some(usize::try_from(remaining.saturating_add(1)).unwrap_or(usize::MAX));
        b.max_duration = None;
        b.checkpoint_file = None;
        // `Builder::new` reads LOOM_* variables; the runner needs these settings.
        b.expect_explicit_explore = false;
        b.log = false;
        b.location = false;
        let run = Arc::clone(ctx);
        let r = quiet::silenced(|| {
            catch_unwind(AssertUnwindSafe(|| {
                b.check(move || run.execution::<Loom>())
            }))
        });
        let ran = ctx.log().executions - done;
        match r {
            Ok(()) if ran >= remaining => {
                return Ok(Some(EngineLimit::LoomCap {
                    executions: ctx.log().executions,
                }));
            }
            Ok(()) => {}
            Err(p) if p.is::<Stop>() => break,
            Err(p) => {
                let message = quiet::message(p.as_ref());
                let executions = ctx.log().executions;
                if message.contains("maximum number of branches") {
                    return Ok(Some(EngineLimit::LoomBranches { executions }));
                }
                // loom's own deadlock report (the backstop): keep the execution as a
                // deadlock counterexample, which native replay then confirms.
                if message.starts_with("deadlock") && ctx.record_engine_deadlock() {
                    return Ok(Some(EngineLimit::Aborted {
                        engine: "loom",
                        executions,
                    }));
                }
                return Err(CheckError::Engine {
                    engine: "loom",
                    message: message.lines().next().unwrap_or_default().to_string(),
                    token: crate::engines::runner::token(&ctx.log().current),
                });
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The backstop relies on this: with no loom `Arc` and no lock held, loom's own
    /// deadlock report is a panic we can catch (not an abort), and it says so.
    #[test]
    fn a_loom_deadlock_is_a_catchable_panic_that_names_itself() {
        let r = quiet::silenced(|| {
            catch_unwind(|| {
                let mut b = loom::model::Builder::new();
                b.max_threads = MAX_MODEL_THREADS + 1;
                b.check(|| {
                    // Nobody ever unparks it.
                    let h = loom::thread::spawn(loom::thread::park);
                    let _ = h.join();
                });
            })
        });
        let payload = r.expect_err("loom reports the deadlock");
        let message = quiet::message(payload.as_ref());
        assert!(message.starts_with("deadlock"), "{message}");
    }
}
