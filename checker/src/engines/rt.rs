//! The engine primitives the runner needs, implemented by loom and by shuttle.

use std::ops::DerefMut;

use crate::engines::runner::Shared;

/// The engine primitives the runner needs (loom's or shuttle's).
pub(crate) trait Rt: 'static {
    /// `Mutex<Shared>`.
    type Mutex: Send + Sync + 'static;
    /// How a waiting participant is woken (a condition variable, or a parked thread).
    type Waker: Send + Sync + 'static;
    /// A held lock.
    type Guard<'a>: DerefMut<Target = Shared>;
    /// A spawned thread.
    type Handle;
    /// Stop the whole run with a panic once every property is decided (loom has no other
    /// way to stop early; shuttle's scheduler simply starts no new execution).
    const ABORT_EARLY: bool;
    /// A new mutex.
    fn mutex(s: Shared) -> Self::Mutex;
    /// A new waker.
    fn waker() -> Self::Waker;
    /// Locks.
    fn lock(m: &Self::Mutex) -> Self::Guard<'_>;
    /// Called by the participant that owns `w`, before it first waits.
    fn register(_w: &Self::Waker) {}
    /// Releases the lock and waits until woken. `None` if woken only to exit: the
    /// participant leaves without taking the lock again.
    fn wait<'a>(m: &'a Self::Mutex, w: &Self::Waker, g: Self::Guard<'a>)
    -> Option<Self::Guard<'a>>;
    /// Wakes the owner of `w`: to act (`exit` false) or to leave.
    fn wake(w: &Self::Waker, exit: bool);
    /// Spawns a thread.
    fn spawn(f: Box<dyn FnOnce() + Send>) -> Self::Handle;
    /// Joins a thread.
    fn join(h: Self::Handle);
    /// Tells the engine the rest of this execution needs no exploring (loom; shuttle's
    /// scheduler ends the execution instead).
    fn stop_exploring() {}
    /// Undoes [`Rt::stop_exploring`].
    fn explore() {}
}
