//! Footprints: the shared objects an op reads or writes, for partial-order reduction.
//!
//! Two steps whose footprints are disjoint commute and neither enables nor disables
//! the other. Thread-local state (pc, flags, handle registers, and what the thread
//! itself holds) is not shared: only its owner changes it, except a `mmap_lock` grant,
//! which touches `mmap_lock` anyway. [`Op::footprint`] is an exhaustive match with no
//! wildcard arm, so a new op does not compile until its footprint is written.

use crate::folio::Backend;
use crate::ids::{FolioId, MAX_FOLIOS, MAX_VMAS, VmaId};
use crate::program::Op;

/// A set of shared objects: `mmap_lock`, each VMA, each folio, reclaim's budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Footprint(pub u32);

impl Footprint {
    /// Nothing shared.
    pub const NONE: Footprint = Footprint(0);
    /// `mm->mmap_lock` (its holders and wait queue).
    pub const MMAP: Footprint = Footprint(1);
    /// Reclaim's eviction budget.
    pub const RECLAIM: Footprint = Footprint(1 << (1 + MAX_VMAS + MAX_FOLIOS));

    /// VMA `v` (its lock, attach, `anon_vma`, copy state).
    pub fn vma(v: VmaId) -> Footprint {
        Footprint(1 << (1 + v.index()))
    }
    /// Folio `f` (its state, lock, references).
    pub fn folio(f: FolioId) -> Footprint {
        Footprint(1 << (1 + MAX_VMAS + f.index()))
    }
    /// Every VMA.
    pub fn all_vmas() -> Footprint {
        Footprint(((1 << MAX_VMAS) - 1) << 1)
    }
    /// Union.
    pub fn with(self, o: Footprint) -> Footprint {
        Footprint(self.0 | o.0)
    }
    /// Whether the two share an object.
    pub fn meets(self, o: Footprint) -> bool {
        self.0 & o.0 != 0
    }
    /// Whether empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// What the handle registers of the thread running an op may point at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Handles {
    /// The VMA handle (the VMA itself when known, else every VMA it may hold).
    pub vma: Footprint,
    /// The folio handle, likewise.
    pub folio: Footprint,
    /// Folios of the FUSE backend (a FUSE server may take any of their requests).
    pub fuse: Footprint,
    /// Folios of the uffd backend.
    pub uffd: Footprint,
}

impl Handles {
    fn served(&self, b: Backend) -> Footprint {
        match b {
            Backend::Uffd => self.uffd,
            _ => self.fuse,
        }
    }
}

/// How an op touches shared objects: `shared` ones only in ways that commute with
/// every other shared access to the same object, `excl` ones in any way. Two ops are
/// independent when neither's `excl` meets the other's objects (a read/write
/// dependency relation: Godefroid, "Partial-Order Methods for the Verification of
/// Concurrent Systems", LNCS 1032, section 3.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// Objects only read, or entered and left as one of several readers.
    pub shared: Footprint,
    /// Objects touched in any other way.
    pub excl: Footprint,
}

impl Access {
    /// Nothing shared.
    pub const NONE: Access = Access {
        shared: Footprint::NONE,
        excl: Footprint::NONE,
    };
    /// Union (an object both shared and exclusive stays in both).
    pub fn with(self, o: Access) -> Access {
        Access {
            shared: self.shared.with(o.shared),
            excl: self.excl.with(o.excl),
        }
    }
    /// Every object touched.
    pub fn all(self) -> Footprint {
        self.shared.with(self.excl)
    }
    /// Whether an op with this access may fail to commute with one with `o`.
    pub fn conflicts(self, o: Access) -> bool {
        self.excl.meets(o.all()) || o.excl.meets(self.shared)
    }
    /// This access with the objects of `f` made exclusive.
    pub fn exclusive_on(self, f: Footprint) -> Access {
        Access {
            shared: Footprint(self.shared.0 & !f.0),
            excl: self.excl.with(Footprint(self.shared.0 & f.0)),
        }
    }
}

impl Op {
    /// How this op touches what [`Op::footprint`] lists.
    ///
    /// Shared accesses, and why they commute pairwise:
    /// - a VMA: `lock_vma_under_rcu`/`vma_start_read` read the VMA's attach and write
    ///   state and add the caller to its reader set, `vma_end_read` removes the caller,
    ///   `find_vma` and the `anon_vma` test only read. Set insertions and removals of
    ///   different threads commute, and none of them changes what the others read.
    /// - a VMA and a folio, for `set_pte_range`/the anon map: they only read (the
    ///   VMA's copy and `anon_vma` state, whether the caller holds its folio lock) and
    ///   record sticky hazard bits, which commute.
    /// - `mmap_lock`, read side (`down_read`, `down_read_trylock`, `up_read`): these
    ///   commute only while no writer holds or waits and no handoff is set (then both
    ///   acquisitions take the fast path and `up_read` wakes nobody). That is a property
    ///   of the state, not of the op: the caller must treat `MMAP` as exclusive
    ///   everywhere in any other state (a writer's own ops are exclusive, so a state
    ///   reached without a writer's step keeps the condition).
    ///
    /// Every other op is exclusive on all of its footprint: the default is the
    /// conservative one, so this match may have a wildcard arm.
    pub fn access(&self, h: &Handles) -> Access {
        let all = self.footprint(h);
        let shared = match *self {
            Op::MmapReadLock | Op::MmapReadTrylock { .. } | Op::MmapReadUnlock => all,
            Op::LockVmaUnderRcu { .. }
            | Op::VmaStartRead { .. }
            | Op::VmaEndRead
            | Op::FindVma { .. }
            | Op::IfAnonVma { .. }
            | Op::MapPte
            | Op::MapAnon => all,
            _ => Footprint::NONE,
        };
        Access {
            shared,
            excl: Footprint(all.0 & !shared.0),
        }
    }

    /// The shared objects this op reads or writes (every alternative of it), given
    /// what the thread's handles may point at. Local ops touch nothing shared.
    pub fn footprint(&self, h: &Handles) -> Footprint {
        let v = Footprint::vma;
        let f = Footprint::folio;
        match *self {
            // down_read/down_write and friends; LockOrder reads only the caller's own
            // VMA locks.
            Op::MmapReadLock
            | Op::MmapReadTrylock { .. }
            | Op::MmapReadUnlock
            | Op::MmapWriteLock => Footprint::MMAP,
            // vma_end_write_all touches every VMA.
            Op::MmapWriteUnlock | Op::MmapWriteDowngrade => {
                Footprint::MMAP.with(Footprint::all_vmas())
            }
            Op::LockVmaUnderRcu { vma, .. }
            | Op::FindVma { vma, .. }
            | Op::VmaStartWrite { vma }
            | Op::VmaMarkDetached { vma }
            | Op::IfAnonVma { vma: Some(vma), .. }
            | Op::CopyPageRange { vma }
            | Op::CopyPageRangeEnd { vma }
            | Op::MmapRegion { vma }
            | Op::ChangeProtection { vma }
            | Op::UnmapVmas { vma } => v(vma),
            Op::VmaEndRead
            | Op::VmaStartRead { .. }
            | Op::IfAnonVma { vma: None, .. }
            | Op::AnonVmaPrepare
            | Op::VmaSetMaybeGuard
            | Op::GuardInstallPte
            | Op::MapAnon => h.vma,
            Op::MapPte => h.vma.with(h.folio),
            Op::FilemapGetFolio { folio, .. }
            | Op::SyncMmapReadahead { folio }
            | Op::FolioWaitLocked { folio }
            | Op::HandleUserfault { folio, .. }
            | Op::InvalidateFolio { folio }
            | Op::FuseWaitWriteback { folio }
            | Op::IfFolioWriteback { folio, .. }
            | Op::FolioWaitWriteback { folio }
            | Op::FuseRequestWait { folio }
            // queues a FUSE request: meets the server's FuseDevRead through h.fuse
            | Op::FuseRequestSend { folio }
            | Op::FuseWritebackStart { folio } => f(folio),
            Op::IfFolioUptodate { .. }
            | Op::FolioTrylock { .. }
            | Op::FolioLock
            | Op::FolioUnlock
            | Op::FolioPut => h.folio,
            Op::FuseDevRead | Op::UffdRead => h.served(crate::machine::served(*self)),
            Op::FuseDevWrite => h.folio,
            // uffd_lock_vma checks the caller's own VMA lock or mmap_lock hold.
            Op::UffdioCopy => h.folio,
            Op::SetFlag(_)
            | Op::ClearFlag(_)
            | Op::FaultRetry
            | Op::IfFlag { .. }
            | Op::Goto(_)
            | Op::Choose { .. }
            | Op::Exit => Footprint::NONE,
        }
    }

    /// The program counters control may reach after this op at `pc` (`target` resolves
    /// its label): fall-through and jump target; nothing after `Exit`.
    pub fn successors(&self, pc: u8, target: Option<u8>) -> [Option<u8>; 2] {
        match *self {
            Op::Exit => [None, None],
            Op::Goto(_) => [target, None],
            _ => [Some(pc + 1), target],
        }
    }

    /// The folio this op names (not through a handle), if any. Exhaustive, like
    /// [`Op::footprint`]: symmetry reduction must see every folio a program names.
    pub fn named_folio(&self) -> Option<FolioId> {
        match *self {
            Op::FilemapGetFolio { folio, .. }
            | Op::SyncMmapReadahead { folio }
            | Op::FolioWaitLocked { folio }
            | Op::HandleUserfault { folio, .. }
            | Op::InvalidateFolio { folio }
            | Op::FuseWaitWriteback { folio }
            | Op::IfFolioWriteback { folio, .. }
            | Op::FolioWaitWriteback { folio }
            | Op::FuseRequestWait { folio }
            | Op::FuseRequestSend { folio }
            | Op::FuseWritebackStart { folio } => Some(folio),
            Op::MmapReadLock
            | Op::MmapReadTrylock { .. }
            | Op::MmapReadUnlock
            | Op::MmapWriteLock
            | Op::MmapWriteUnlock
            | Op::MmapWriteDowngrade
            | Op::LockVmaUnderRcu { .. }
            | Op::FindVma { .. }
            | Op::VmaEndRead
            | Op::VmaStartRead { .. }
            | Op::VmaStartWrite { .. }
            | Op::VmaMarkDetached { .. }
            | Op::IfAnonVma { .. }
            | Op::AnonVmaPrepare
            | Op::IfFolioUptodate { .. }
            | Op::FolioTrylock { .. }
            | Op::FolioLock
            | Op::FolioUnlock
            | Op::FolioPut
            | Op::MapPte
            | Op::MapAnon
            | Op::VmaSetMaybeGuard
            | Op::GuardInstallPte
            | Op::FuseDevRead
            | Op::FuseDevWrite
            | Op::UffdRead
            | Op::UffdioCopy
            | Op::CopyPageRange { .. }
            | Op::CopyPageRangeEnd { .. }
            | Op::MmapRegion { .. }
            | Op::ChangeProtection { .. }
            | Op::UnmapVmas { .. }
            | Op::SetFlag(_)
            | Op::ClearFlag(_)
            | Op::FaultRetry
            | Op::IfFlag { .. }
            | Op::Goto(_)
            | Op::Choose { .. }
            | Op::Exit => None,
        }
    }

    /// This op with the folio it names replaced by `f` (unchanged if it names none).
    pub fn with_named_folio(mut self, f: FolioId) -> Op {
        match &mut self {
            Op::FilemapGetFolio { folio, .. }
            | Op::SyncMmapReadahead { folio }
            | Op::FolioWaitLocked { folio }
            | Op::HandleUserfault { folio, .. }
            | Op::InvalidateFolio { folio }
            | Op::FuseWaitWriteback { folio }
            | Op::IfFolioWriteback { folio, .. }
            | Op::FolioWaitWriteback { folio }
            | Op::FuseRequestWait { folio }
            | Op::FuseRequestSend { folio }
            | Op::FuseWritebackStart { folio } => *folio = f,
            _ => {}
        }
        self
    }

    /// The folio whose read I/O this op may start (the folio's backend then completes
    /// it: for a disk folio, a disk completion step follows).
    pub fn starts_read(&self) -> Option<FolioId> {
        match *self {
            Op::SyncMmapReadahead { folio }
            | Op::HandleUserfault { folio, .. }
            | Op::FuseRequestSend { folio }
            | Op::FuseWritebackStart { folio } => Some(folio),
            _ => None,
        }
    }
}

const _: () = assert!(1 + MAX_VMAS + MAX_FOLIOS < 32);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{Flag, Label};

    #[test]
    fn handle_ops_use_the_handles_and_local_ops_touch_nothing() {
        let h = Handles {
            vma: Footprint::vma(VmaId(1)),
            folio: Footprint::folio(FolioId(2)),
            fuse: Footprint::folio(FolioId(3)),
            uffd: Footprint::folio(FolioId(4)),
        };
        assert_eq!(Op::VmaEndRead.footprint(&h), h.vma);
        assert_eq!(Op::FolioLock.footprint(&h), h.folio);
        assert_eq!(Op::MapPte.footprint(&h), h.vma.with(h.folio));
        assert_eq!(Op::FuseDevRead.footprint(&h), h.fuse);
        assert_eq!(Op::UffdRead.footprint(&h), h.uffd);
        assert_eq!(
            Op::FilemapGetFolio {
                folio: FolioId(0),
                absent: Label(0)
            }
            .footprint(&h),
            Footprint::folio(FolioId(0))
        );
        // vma_end_write_all: every VMA.
        assert!(
            Op::MmapWriteUnlock
                .footprint(&h)
                .meets(Footprint::vma(VmaId(7)))
        );
        assert!(Op::SetFlag(Flag::Tried).footprint(&h).is_empty());
        assert!(Op::Exit.footprint(&h).is_empty());
        // Objects are distinct bits.
        assert!(!Footprint::MMAP.meets(Footprint::vma(VmaId(0))));
        assert!(!Footprint::vma(VmaId(7)).meets(Footprint::folio(FolioId(0))));
        assert!(!Footprint::folio(FolioId(7)).meets(Footprint::RECLAIM));
    }
}
