//! `mmap_lock` as the kernel's rwsem (`kernel/locking/rwsem.c`), not a textbook rwlock.
//!
//! The point of modelling it ourselves: a *queued* writer makes new readers queue behind it
//! (`rwsem_down_read_slowpath`), which loom's and shuttle's `RwLock` do not do, and which
//! is what turns "reader holds, writer queues, reader again" into a deadlock.
//!
//! Checked against `kernel/locking/rwsem.c` (linux-mm tree @4fe053e2, same logic as
//! v6.1+): `__down_read_trylock` fails on `RWSEM_READ_FAILED_MASK` (writer, waiters,
//! handoff); `rwsem_mark_wake` only wakes a writer at the head but grants every queued
//! reader, skipping writers, when a reader is at the head; `downgrade_write` does the
//! same via `RWSEM_WAKE_READ_OWNED`; reader stealing needs no writer and no handoff
//! and is refused while `RWSEM_READER_OWNED` with another reader's bias. Not modelled:
//! a queued non-first writer taking a free lock on its first try after enqueueing
//! (covered by `Admission::Steal`), and optimistic spinning as anything but blocking.

use crate::ids::{MAX_THREADS, ThreadSet, Tid};

/// How a new `down_read`/`down_write` treats a non-empty wait queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Admission {
    /// Any queued waiter makes a new locker queue behind it (FIFO, no stealing).
    /// The rwsem default once `RWSEM_FLAG_HANDOFF` is set, and the behaviour that
    /// exposes reader -> queued writer -> reader cycles.
    Fair,
    /// A new locker may take a *free* lock while waiters sleep, unless
    /// `RWSEM_FLAG_HANDOFF` is set: reader stealing in `rwsem_down_read_slowpath`
    /// (refused while `RWSEM_READER_OWNED` with another reader's bias, so only a free
    /// lock), writer stealing in `rwsem_try_write_lock_unqueued`. Not modelled: the
    /// window right after `up_write` where a stale owner word lets several readers steal.
    Steal,
}

/// Read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `down_read`.
    Read,
    /// `down_write`.
    Write,
}

/// What a lock request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acquire {
    /// The lock is held now.
    Got,
    /// The caller was put at the tail of the wait list and sleeps.
    Queued,
}

const WRITE_BIT: u8 = 0x80;
const NONE: u8 = 0xff;

/// The state of one rwsem: holders, FIFO wait list, handoff flag.
///
/// Canonical: unused queue slots are always zero, so equal locks compare equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RwSem {
    writer: u8,
    readers: ThreadSet,
    qlen: u8,
    queue: [u8; MAX_THREADS],
    handoff: bool,
}

impl Default for RwSem {
    fn default() -> Self {
        RwSem {
            writer: NONE,
            readers: ThreadSet::EMPTY,
            qlen: 0,
            queue: [0; MAX_THREADS],
            handoff: false,
        }
    }
}

impl RwSem {
    /// The thread holding the lock for write (`RWSEM_WRITER_LOCKED`).
    pub fn writer(&self) -> Option<Tid> {
        (self.writer != NONE).then_some(Tid(self.writer))
    }
    /// Threads holding the lock for read.
    pub fn readers(&self) -> ThreadSet {
        self.readers
    }
    /// Whether `RWSEM_FLAG_HANDOFF` is set.
    pub fn handoff(&self) -> bool {
        self.handoff
    }
    /// Whether `t` holds the lock in either mode.
    pub fn held_by(&self, t: Tid) -> bool {
        self.writer() == Some(t) || self.readers.contains(t)
    }
    /// The wait list, head first.
    pub fn queue(&self) -> impl Iterator<Item = (Tid, Mode)> + '_ {
        self.queue[..usize::from(self.qlen)]
            .iter()
            .map(|&w| decode(w))
    }
    /// Position of `t` in the wait list (0 = head).
    pub fn position(&self, t: Tid) -> Option<usize> {
        self.queue().position(|(w, _)| w == t)
    }
    fn head(&self) -> Option<(Tid, Mode)> {
        self.queue().next()
    }
    fn is_free(&self) -> bool {
        self.writer == NONE && self.readers.is_empty()
    }

    /// `down_read_trylock`: succeeds only if the count shows no writer, no waiters and no
    /// handoff (`RWSEM_READ_FAILED_MASK`), so it fails whenever anyone is queued.
    pub fn read_trylock(&mut self, t: Tid) -> bool {
        let ok = self.writer == NONE && self.qlen == 0 && !self.handoff;
        if ok {
            self.readers.insert(t);
        }
        ok
    }

    /// `down_read`: the fast path needs no writer and no waiters; otherwise the reader
    /// may steal a free lock (`Steal`, handoff clear) or queues at the tail.
    pub fn down_read(&mut self, t: Tid, admission: Admission) -> Acquire {
        let fast = self.writer == NONE && self.qlen == 0 && !self.handoff;
        if fast || self.may_steal(admission) {
            self.readers.insert(t);
            Acquire::Got
        } else {
            self.enqueue(t, Mode::Read);
            Acquire::Queued
        }
    }

    /// `down_write`: the fast path is a cmpxchg from 0 (no holder, no waiter); otherwise
    /// the writer may steal a free lock (`Steal`, handoff clear) or queues at the tail.
    pub fn down_write(&mut self, t: Tid, admission: Admission) -> Acquire {
        if (self.is_free() && self.qlen == 0) || self.may_steal(admission) {
            self.writer = t.0;
            Acquire::Got
        } else {
            self.enqueue(t, Mode::Write);
            Acquire::Queued
        }
    }

    fn may_steal(&self, admission: Admission) -> bool {
        admission == Admission::Steal && self.is_free() && !self.handoff
    }

    /// Whether queued writer `t` can take the lock now (`rwsem_try_write_lock`): only the
    /// first waiter is ever woken, and it needs the lock free of readers and writers.
    pub fn queued_writer_can_take(&self, t: Tid) -> bool {
        self.head() == Some((t, Mode::Write)) && self.is_free()
    }

    /// The woken first waiter `t` takes the lock for write; clears handoff.
    pub fn take_queued_write(&mut self, t: Tid) {
        debug_assert!(self.queued_writer_can_take(t));
        self.dequeue(t);
        self.writer = t.0;
        self.handoff = false;
    }

    /// `up_read`. Returns the readers the wake-up granted (see `RwSem::wake`), or
    /// `None` if `t` did not hold the lock for read.
    pub fn up_read(&mut self, t: Tid) -> Option<ThreadSet> {
        if !self.readers.contains(t) {
            return None;
        }
        self.readers.remove(t);
        Some(if self.readers.is_empty() {
            self.wake()
        } else {
            ThreadSet::EMPTY
        })
    }

    /// `up_write`. Returns the readers granted by the wake-up, or `None` if `t` is not
    /// the writer.
    pub fn up_write(&mut self, t: Tid) -> Option<ThreadSet> {
        if self.writer != t.0 {
            return None;
        }
        self.writer = NONE;
        Some(self.wake())
    }

    /// `downgrade_write`: the writer becomes a reader and readers at the head of the
    /// queue are granted (`rwsem_downgrade_wake`, `RWSEM_WAKE_READ_OWNED`).
    pub fn downgrade(&mut self, t: Tid) -> Option<ThreadSet> {
        if self.writer != t.0 {
            return None;
        }
        self.writer = NONE;
        self.readers.insert(t);
        Some(self.wake())
    }

    /// `rwsem_mark_wake` after a release. A writer at the head is only woken (it takes
    /// the lock in its own step). A reader at the head makes the waker grant the read
    /// lock to *every* queued reader, skipping queued writers (`MAX_READERS_WAKEUP`).
    fn wake(&mut self) -> ThreadSet {
        let mut granted = ThreadSet::EMPTY;
        if self.writer != NONE || !matches!(self.head(), Some((_, Mode::Read))) {
            return granted;
        }
        let mut kept = [0u8; MAX_THREADS];
        let mut n = 0;
        for i in 0..usize::from(self.qlen) {
            let (w, mode) = decode(self.queue[i]);
            if mode == Mode::Read {
                granted.insert(w);
                self.readers.insert(w);
            } else {
                kept[n] = self.queue[i];
                n += 1;
            }
        }
        self.queue = kept;
        self.qlen = n as u8;
        self.handoff = false;
        granted
    }

    /// Whether the first waiter may set `RWSEM_FLAG_HANDOFF` now: it waited "too long"
    /// (`RWSEM_WAIT_TIMEOUT`) and still cannot get the lock. Only matters with `Steal`.
    pub fn handoff_possible(&self, admission: Admission) -> bool {
        admission == Admission::Steal
            && !self.handoff
            && match self.head() {
                Some((_, Mode::Write)) => !self.is_free(),
                Some((_, Mode::Read)) => self.writer != NONE,
                None => false,
            }
    }

    /// Sets `RWSEM_FLAG_HANDOFF`: from now on nobody steals.
    pub fn set_handoff(&mut self) {
        self.handoff = true;
    }

    /// The same lock with every thread id `t` replaced by `f(t)` (a renaming; the
    /// queue keeps its order).
    pub fn renamed(&self, f: impl Fn(Tid) -> Tid) -> RwSem {
        let mut n = *self;
        if self.writer != NONE {
            n.writer = f(Tid(self.writer)).0;
        }
        n.readers = ThreadSet::EMPTY;
        for t in self.readers.iter() {
            n.readers.insert(f(t));
        }
        for slot in &mut n.queue[..usize::from(self.qlen)] {
            *slot = f(Tid(*slot & !WRITE_BIT)).0 | (*slot & WRITE_BIT);
        }
        n
    }

    fn enqueue(&mut self, t: Tid, mode: Mode) {
        let bit = if mode == Mode::Write { WRITE_BIT } else { 0 };
        self.queue[usize::from(self.qlen)] = t.0 | bit;
        self.qlen += 1;
    }

    fn dequeue(&mut self, t: Tid) {
        if let Some(i) = self.position(t) {
            let n = usize::from(self.qlen);
            self.queue.copy_within(i + 1..n, i);
            self.queue[n - 1] = 0;
            self.qlen -= 1;
        }
    }

    /// Packed form: writer, readers (2), handoff, queue length, `threads` queue slots.
    pub(crate) fn pack(&self, threads: usize, out: &mut Vec<u8>) {
        out.push(self.writer);
        out.extend_from_slice(&self.readers.0.to_le_bytes());
        out.push(u8::from(self.handoff));
        out.push(self.qlen);
        out.extend_from_slice(&self.queue[..threads]);
    }

    pub(crate) fn unpack(threads: usize, bytes: &[u8]) -> RwSem {
        let mut queue = [0u8; MAX_THREADS];
        queue[..threads].copy_from_slice(&bytes[5..5 + threads]);
        RwSem {
            writer: bytes[0],
            readers: ThreadSet(u16::from_le_bytes([bytes[1], bytes[2]])),
            handoff: bytes[3] != 0,
            qlen: bytes[4],
            queue,
        }
    }

    pub(crate) fn packed_len(threads: usize) -> usize {
        5 + threads
    }
}

fn decode(w: u8) -> (Tid, Mode) {
    let mode = if w & WRITE_BIT != 0 {
        Mode::Write
    } else {
        Mode::Read
    };
    (Tid(w & !WRITE_BIT), mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Tid = Tid(0);
    const T1: Tid = Tid(1);
    const T2: Tid = Tid(2);
    const T3: Tid = Tid(3);

    #[test]
    fn queued_writer_blocks_new_mmap_read_lock() {
        // rwsem_down_read_slowpath: with a writer queued, a new reader queues behind it
        // even though only readers hold the lock.
        let mut s = RwSem::default();
        assert_eq!(s.down_read(T0, Admission::Fair), Acquire::Got);
        assert_eq!(s.down_write(T1, Admission::Fair), Acquire::Queued);
        assert_eq!(s.down_read(T2, Admission::Fair), Acquire::Queued);
        assert_eq!(
            s.queue().collect::<Vec<_>>(),
            vec![(T1, Mode::Write), (T2, Mode::Read)]
        );
    }

    #[test]
    fn read_trylock_fails_whenever_anyone_is_queued() {
        // down_read_trylock checks RWSEM_READ_FAILED_MASK, which includes FLAG_WAITERS.
        let mut s = RwSem::default();
        assert!(s.read_trylock(T0));
        assert_eq!(s.down_write(T1, Admission::Fair), Acquire::Queued);
        assert!(!s.read_trylock(T2));
        // A queued *reader* is enough too.
        let mut s = RwSem::default();
        assert_eq!(s.down_write(T0, Admission::Fair), Acquire::Got);
        assert_eq!(s.down_read(T1, Admission::Fair), Acquire::Queued);
        s.up_write(T0);
        assert!(s.readers().contains(T1));
        let mut s2 = RwSem::default();
        s2.down_write(T0, Admission::Fair);
        s2.down_read(T1, Admission::Fair);
        assert!(!s2.read_trylock(T2));
    }

    #[test]
    fn reader_at_head_is_granted_with_every_queued_reader_skipping_writers() {
        // rwsem_mark_wake: readers behind a queued writer are granted too.
        let mut s = RwSem::default();
        s.down_write(T0, Admission::Fair);
        s.down_read(T1, Admission::Fair);
        s.down_write(T2, Admission::Fair);
        s.down_read(T3, Admission::Fair);
        let granted = s.up_write(T0).expect("T0 is the writer");
        assert_eq!(granted.iter().collect::<Vec<_>>(), vec![T1, T3]);
        assert_eq!(s.queue().collect::<Vec<_>>(), vec![(T2, Mode::Write)]);
    }

    #[test]
    fn writer_at_head_is_only_woken_and_takes_the_lock_itself() {
        let mut s = RwSem::default();
        s.down_read(T0, Admission::Fair);
        s.down_write(T1, Admission::Fair);
        assert!(!s.queued_writer_can_take(T1));
        assert_eq!(s.up_read(T0), Some(ThreadSet::EMPTY));
        assert!(s.queued_writer_can_take(T1));
        // Fair: a new reader may not pass the woken writer.
        assert_eq!(s.down_read(T2, Admission::Fair), Acquire::Queued);
        s.take_queued_write(T1);
        assert_eq!(s.writer(), Some(T1));
    }

    #[test]
    fn steal_takes_a_free_lock_past_a_woken_writer_unless_handoff() {
        let mut s = RwSem::default();
        s.down_read(T0, Admission::Steal);
        s.down_write(T1, Admission::Steal);
        s.up_read(T0);
        let mut stolen = s;
        assert_eq!(stolen.down_read(T2, Admission::Steal), Acquire::Got);
        // Not while another reader holds it: that would starve the writer.
        assert_eq!(stolen.down_read(T3, Admission::Steal), Acquire::Queued);
        s.set_handoff();
        assert_eq!(s.down_read(T2, Admission::Steal), Acquire::Queued);
    }

    #[test]
    fn downgrade_grants_readers_at_the_head() {
        let mut s = RwSem::default();
        s.down_write(T0, Admission::Fair);
        s.down_read(T1, Admission::Fair);
        let granted = s.downgrade(T0).expect("writer");
        assert!(granted.contains(T1));
        assert!(s.readers().contains(T0) && s.readers().contains(T1));
    }

    #[test]
    fn unlock_by_a_non_holder_is_refused() {
        let mut s = RwSem::default();
        assert_eq!(s.up_read(T0), None);
        assert_eq!(s.up_write(T0), None);
    }

    #[test]
    fn pack_round_trips() {
        let mut s = RwSem::default();
        s.down_read(T0, Admission::Fair);
        s.down_write(T1, Admission::Fair);
        s.down_read(T2, Admission::Fair);
        let mut v = Vec::new();
        s.pack(4, &mut v);
        assert_eq!(v.len(), RwSem::packed_len(4));
        assert_eq!(RwSem::unpack(4, &v), s);
    }
}
