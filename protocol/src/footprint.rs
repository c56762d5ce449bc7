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

impl Op {
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
            | Op::MapAnon => h.vma,
            Op::MapPte => h.vma.with(h.folio),
            Op::FilemapGetFolio { folio, .. }
            | Op::SyncMmapReadahead { folio }
            | Op::FolioWaitLocked { folio }
            | Op::HandleUserfault { folio, .. }
            | Op::InvalidateFolio { folio }
            | Op::FuseWaitWriteback { folio }
            // queues a FUSE request: meets the server's FuseDevRead through h.fuse
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

    /// The folio a disk read may start on (`SyncMmapReadahead`), for the disk's future.
    pub fn starts_read(&self) -> Option<FolioId> {
        match *self {
            Op::SyncMmapReadahead { folio } => Some(folio),
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
