//! Properties and the one evaluator every engine calls.
//!
//! Safety properties are predicates on a state: [`Property::violated_at`]. Step
//! properties (a blocking `mmap_read_lock` under a VMA lock, ...) are recorded by the
//! step function as sticky [`Hazard`] bits, so they are state predicates too. Only the
//! liveness properties need the whole state graph ([`crate::liveness`]).

use faultline_protocol::{Hazard, Machine, Role, Status, Step, Tid, WaitOn, World};

/// A property a design is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Property {
    /// No reachable state has an unfinished thread while no thread can run and no I/O
    /// can complete.
    Deadlock,
    /// No thread holding a VMA read lock calls the blocking `mmap_read_lock`.
    LockOrder,
    /// A fault that returns `VM_FAULT_RETRY` holds neither a VMA read lock nor
    /// `mmap_lock`.
    RetryDrops,
    /// No step touches a VMA the thread no longer pins.
    VmaUse,
    /// No fault or `MADV_GUARD_INSTALL` changes a PTE of a VMA while fork copies its page
    /// tables (`vma_needs_copy`: an anon_vma, or a `VM_COPY_ON_FORK` flag).
    ForkCopy,
    /// No `mmap_lock` writer or `vma_start_write` caller sleeps, directly or through a
    /// chain of lock holders, on read I/O.
    WriterWaitsIo,
    /// The same, for fork in any of its waits.
    ForkWaitsIo,
    /// No thread waiting in `mmap_read_lock` sleeps through a chain of lock holders
    /// on read I/O (Hz2: a fault that fell back to `mmap_lock`, a `/proc/PID/maps`
    /// reader, `process_mrelease`, queued behind a writer that waits for a fault).
    ReaderWaitsIo,
    /// Under weak fairness no thread keeps taking steps forever without finishing.
    Livelock,
    /// Under weak fairness every thread finishes.
    Starvation,
}

impl Property {
    /// Every property, in report order.
    pub const ALL: &'static [Property] = &[
        Property::Deadlock,
        Property::LockOrder,
        Property::RetryDrops,
        Property::VmaUse,
        Property::ForkCopy,
        Property::WriterWaitsIo,
        Property::ForkWaitsIo,
        Property::ReaderWaitsIo,
        Property::Livelock,
        Property::Starvation,
    ];

    /// Stable id (`deadlock`): [`faultline_protocol::PROPERTY_IDS`], where the design
    /// language checks the files' clauses against them.
    pub fn id(self) -> &'static str {
        // `ALL` is in declaration order (a test pins it), so the discriminant indexes
        // the ids.
        faultline_protocol::PROPERTY_IDS[self as usize]
    }

    /// The verdict key a violation shows in the matrix (kernel-semantics section 5).
    pub fn key(self) -> &'static str {
        match self {
            Property::Deadlock => "DEADLOCK",
            Property::LockOrder => "LOCK-ORDER",
            Property::RetryDrops => "RETRY-HELD",
            Property::VmaUse => "UAF",
            Property::ForkCopy => "FORK-COPY",
            Property::WriterWaitsIo | Property::ForkWaitsIo | Property::ReaderWaitsIo => "LATENCY",
            Property::Livelock => "LIVELOCK",
            Property::Starvation => "STARVATION",
        }
    }

    /// One line: when it holds.
    pub fn describe(self) -> &'static str {
        match self {
            Property::Deadlock => {
                "no reachable state has an unfinished thread while no thread can run and \
                 no I/O can complete (an idle FUSE server counts as finished)"
            }
            Property::LockOrder => {
                "no thread holding a VMA read lock calls the blocking mmap_read_lock or \
                 mmap_write_lock (only mmap_read_trylock)"
            }
            Property::RetryDrops => {
                "a fault returning VM_FAULT_RETRY holds neither a VMA read lock nor \
                 mmap_lock"
            }
            Property::VmaUse => {
                "no step dereferences a VMA the thread does not pin (its lock dropped, or \
                 the VMA detached and freed since it was found)"
            }
            Property::ForkCopy => {
                "no fault changes a PTE of a VMA while dup_mmap's copy_page_range copies \
                 it"
            }
            Property::WriterWaitsIo => {
                "no mmap_lock writer or vma_start_write caller sleeps, directly or through \
                 a chain of lock holders, on read I/O"
            }
            Property::ForkWaitsIo => {
                "fork never sleeps, directly or through a chain of lock holders, on read \
                 I/O"
            }
            Property::ReaderWaitsIo => {
                "no thread waiting in mmap_read_lock sleeps, through a chain of lock \
                 holders, on read I/O"
            }
            Property::Livelock => {
                "under weak fairness (disk completes, enabled threads run; reclaim is not \
                 fair) no thread keeps taking steps forever without finishing"
            }
            Property::Starvation => "under weak fairness every thread finishes",
        }
    }

    /// The property with this id.
    pub fn parse(id: &str) -> Option<Property> {
        Property::ALL.iter().copied().find(|p| p.id() == id)
    }

    /// Whether the property is about infinite runs: it needs the whole state graph, and
    /// engines that stop at a step cap can never say it holds.
    pub fn is_liveness(self) -> bool {
        matches!(self, Property::Livelock | Property::Starvation)
    }

    /// Whether `w` violates the property. `enabled` must be `m.enabled(w)`: engines
    /// compute it anyway to expand the state, so it is passed in. Liveness properties
    /// are never violated by a single state.
    pub fn violated_at(self, m: &Machine, w: &World, enabled: &[Step]) -> bool {
        match self {
            // Reclaim and the rwsem handoff may still have steps, but neither can ever
            // wake a thread, so they do not count as progress.
            Property::Deadlock => {
                !enabled
                    .iter()
                    .any(|s| matches!(s, Step::Thread { .. } | Step::IoDone(_)))
                    && !m.all_done(w)
            }
            Property::LockOrder => w.has(Hazard::LockOrder),
            Property::RetryDrops => w.has(Hazard::RetryHeld),
            Property::VmaUse => w.has(Hazard::VmaUse),
            Property::ForkCopy => w.has(Hazard::ForkCopy),
            Property::WriterWaitsIo => m.tids().any(|t| is_writer_wait(m, w, t)),
            Property::ForkWaitsIo => m
                .tids()
                .any(|t| m.threads()[t.index()].role == Role::Fork && waits_on_io(m, w, t)),
            Property::ReaderWaitsIo => m.tids().any(|t| is_reader_wait(m, w, t)),
            Property::Livelock | Property::Starvation => false,
        }
    }

    /// The thread whose wait chain ends in I/O, for the latency properties.
    pub fn latency_victim(self, m: &Machine, w: &World) -> Option<Tid> {
        match self {
            Property::WriterWaitsIo => m.tids().find(|&t| is_writer_wait(m, w, t)),
            Property::ForkWaitsIo => m
                .tids()
                .find(|&t| m.threads()[t.index()].role == Role::Fork && waits_on_io(m, w, t)),
            Property::ReaderWaitsIo => m.tids().find(|&t| is_reader_wait(m, w, t)),
            _ => None,
        }
    }
}

fn waits_on_io(m: &Machine, w: &World, t: Tid) -> bool {
    matches!(m.status(w, t), Status::Blocked(_)) && m.waits_on_io(w, t).is_some()
}

/// `t` is a writer (queued for `mmap_lock` write, or in `vma_start_write`) whose wait
/// chain ends in read I/O.
fn is_writer_wait(m: &Machine, w: &World, t: Tid) -> bool {
    matches!(
        m.blocked_on(w, t),
        Some(WaitOn::MmapLock(faultline_protocol::Mode::Write) | WaitOn::VmaReaders(_))
    ) && m.waits_on_io(w, t).is_some()
}

/// `t` waits in `mmap_read_lock` and its wait chain ends in read I/O.
fn is_reader_wait(m: &Machine, w: &World, t: Tid) -> bool {
    matches!(
        m.blocked_on(w, t),
        Some(WaitOn::MmapLock(faultline_protocol::Mode::Read))
    ) && m.waits_on_io(w, t).is_some()
}

impl std::fmt::Display for Property {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::Property;

    #[test]
    fn all_is_in_declaration_order_so_each_property_has_its_own_id() {
        for (i, p) in Property::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i, "{p:?}");
        }
        assert_eq!(Property::ALL.len(), faultline_protocol::PROPERTY_IDS.len());
        assert_eq!(Property::Starvation.id(), "starvation");
    }
}
