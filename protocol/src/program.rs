//! The instruction set thread programs are written in, and a builder with labels.
//!
//! Each instruction is one atomic step named after the kernel function it models; the
//! `site` of an instruction names the kernel function it sits in (`filemap_fault`,
//! `dup_mmap`), so a trace reads like a kernel backtrace.

use crate::error::ModelError;
use crate::ids::{FolioId, VmaId};
use crate::live_regs::Liveness;

/// A per-thread flag register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flag {
    /// `FAULT_FLAG_TRIED`: this is a retry; page-cache waits keep the fault lock.
    Tried,
    /// `VM_FAULT_MAJOR` was returned by the last attempt (I/O was started).
    Major,
}

impl Flag {
    pub(crate) fn bit(self) -> u8 {
        match self {
            Flag::Tried => 1,
            Flag::Major => 2,
        }
    }
    /// Kernel name.
    pub fn name(self) -> &'static str {
        match self {
            Flag::Tried => "FAULT_FLAG_TRIED",
            Flag::Major => "VM_FAULT_MAJOR",
        }
    }
}

/// A jump target inside one program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Label(pub u16);

/// One instruction. Ops on "the VMA" or "the folio" use the thread's handle registers,
/// so a stale handle after a drop is visible in the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `mmap_read_lock` / `mmap_read_lock_killable` (`down_read`): may queue and sleep.
    MmapReadLock,
    /// `mmap_read_trylock` (`down_read_trylock`); jumps to `fail` if it fails.
    MmapReadTrylock {
        /// Taken on failure.
        fail: Label,
    },
    /// `mmap_read_unlock` (`up_read`).
    MmapReadUnlock,
    /// `mmap_write_lock` / `_killable` (`down_write`): may queue and sleep.
    MmapWriteLock,
    /// `mmap_write_unlock`: `vma_end_write_all`, then `up_write`.
    MmapWriteUnlock,
    /// `mmap_write_downgrade`: `vma_end_write_all`, then `downgrade_write`.
    MmapWriteDowngrade,
    /// `lock_vma_under_rcu`: find the VMA and `vma_start_read` it; sets the VMA handle.
    /// Jumps to `fail` when the try-lock fails (the caller falls back to `mmap_lock`).
    LockVmaUnderRcu {
        /// The VMA at the faulting address.
        vma: VmaId,
        /// Taken on failure.
        fail: Label,
    },
    /// `find_vma` under `mmap_lock` (second half of `lock_mm_and_find_vma`); sets the VMA
    /// handle or jumps to `missing` (`bad_area`).
    FindVma {
        /// The VMA at the faulting address.
        vma: VmaId,
        /// Taken when the address is no longer mapped.
        missing: Label,
    },
    /// `vma_end_read` on the VMA handle. The handle register keeps the (now unpinned)
    /// pointer, as `vmf->vma` does; liveness clears it if no later op reads it.
    VmaEndRead,
    /// `vma_start_read` on the VMA handle itself, without a fresh maple-tree walk: a
    /// retry that reuses the old `vmf->vma`. Jumps to `fail` when the try-lock fails.
    VmaStartRead {
        /// Taken on failure.
        fail: Label,
    },
    /// `vma_start_write` (or `_killable`): needs the `mmap_lock` write hold.
    VmaStartWrite {
        /// The VMA to write-lock.
        vma: VmaId,
    },
    /// Remove from the tree and `vma_mark_detached`: needs the VMA write-locked.
    VmaMarkDetached {
        /// The VMA to detach.
        vma: VmaId,
    },
    /// Jump if a VMA has an `anon_vma`: the handle VMA (`None`; the fast path of
    /// `vmf_anon_prepare`) or a named one (fork's lock predicate).
    IfAnonVma {
        /// The VMA tested; `None` for the handle.
        vma: Option<VmaId>,
        /// Taken when `vma->anon_vma` is set.
        then: Label,
    },
    /// `__anon_vma_prepare` on the handle VMA: needs `mmap_lock` (it reads neighbours).
    AnonVmaPrepare,
    /// `filemap_get_folio`: take a reference and set the folio handle, or jump to
    /// `absent` if the folio is not in the page cache.
    FilemapGetFolio {
        /// The page being faulted.
        folio: FolioId,
        /// Taken on a page-cache miss.
        absent: Label,
    },
    /// `do_sync_mmap_readahead` + `__filemap_get_folio(FGP_CREAT)`: if absent, add the
    /// folio locked and submit the read to its backend; take a reference either way.
    SyncMmapReadahead {
        /// The page being faulted.
        folio: FolioId,
    },
    /// `folio_test_uptodate` on the folio handle: jump if the data is there (the folio
    /// may still be locked by a thread, but no read I/O is outstanding).
    IfFolioUptodate {
        /// Taken when uptodate.
        then: Label,
    },
    /// `folio_wait_locked` on a named folio (no handle, no reference): sleep until it is
    /// unlocked, without taking it.
    FolioWaitLocked {
        /// The folio waited on.
        folio: FolioId,
    },
    /// `invalidate_inode_pages2` on a named folio (FUSE's `FOPEN_DIRECT_IO` mmap):
    /// sleeps while it is locked (read I/O or a thread), then removes it from the page
    /// cache. Known divergence: it also waits until no other thread holds a
    /// reference, which the kernel does not (7.2 mm/truncate.c
    /// `folio_unmap_invalidate` ignores the refcount; only reclaim's
    /// `__remove_mapping` freezes it). Removing a folio a fault still holds needs
    /// `filemap_fault`'s truncation check (`folio->mapping != mapping` ->
    /// `retry_find`), which the fault programs (models/fl/upstream.fl) do not have
    /// yet; until then the wait cuts the interleavings where the fault finds its
    /// folio truncated and reads it again. In the scenarios that use it (kernel-h2,
    /// kernel-wb) a reference holder waits for this folio's lock or holds it, which
    /// the invalidation waits for anyway, so the extra wait adds no cycle.
    InvalidateFolio {
        /// The folio removed.
        folio: FolioId,
    },
    /// `sync_file_range(SYNC_FILE_RANGE_WRITE)` -> `fuse_writepages`: the page's FUSE
    /// WRITE is queued for the server. `folio` is a separate slot standing for the
    /// page's writeback, pending FUSE I/O until the server replies (`fuse_dev_do_write`
    /// -> `fuse_writepage_end`). Up to 6.15 that is the entry in `fi->writepages` (the
    /// page-cache folio's `PG_writeback` ends at once, its data copied to a temp
    /// folio); since 6.16 it is the page-cache folio's own `PG_writeback`
    /// (fs/fuse/file.c `fuse_writepage_finish` ends it). The page's lock bit stays its
    /// own, as in the kernel: writeback and the folio lock are independent.
    FuseWritebackStart {
        /// The writeback slot.
        folio: FolioId,
    },
    /// `folio_test_writeback` on a named FUSE writeback entry: jump while its WRITE is
    /// queued or with the server (PG_writeback until the reply, since 6.16).
    IfFolioWriteback {
        /// The writeback entry.
        folio: FolioId,
        /// Taken when under writeback.
        then: Label,
    },
    /// `fuse_page_mkwrite` -> `fuse_wait_on_page_writeback` (up to 6.15): sleep until
    /// the page leaves `fi->writepages`, which only the WRITE's reply ends
    /// (`wait_event(fi->page_waitq)`, uninterruptible).
    FuseWaitWriteback {
        /// The writeback slot.
        folio: FolioId,
    },
    /// `folio_wait_writeback` (since 6.16 on a FUSE folio): sleep until `PG_writeback`
    /// ends, which for FUSE is the server's reply to the WRITE
    /// (`folio_wait_bit(PG_writeback)`, uninterruptible). `fuse_page_mkwrite`,
    /// `invalidate_inode_pages2_range`, truncate and `__filemap_fdatawait_range` (fsync,
    /// `write_inode_now`) all wait here.
    FolioWaitWriteback {
        /// The writeback slot.
        folio: FolioId,
    },
    /// `fuse_simple_request` of a synchronous request (`fuse_write_inode` ->
    /// `fuse_flush_times`' SETATTR): queues it for the server in slot `folio`, pending
    /// FUSE I/O until the server answers (`fuse_dev_do_write`).
    FuseRequestSend {
        /// The request's slot.
        folio: FolioId,
    },
    /// `request_wait_answer`: sleep until the server has answered the request in slot
    /// `folio` (interruptible, then killable: SIGKILL wakes it).
    FuseRequestWait {
        /// The request's slot.
        folio: FolioId,
    },
    /// `folio_trylock` on the folio handle; jumps to `fail` if it is locked.
    FolioTrylock {
        /// Taken when the folio is locked (by I/O or a thread).
        fail: Label,
    },
    /// `__folio_lock` / `__folio_lock_killable`: sleep until unlocked, then take it.
    FolioLock,
    /// `folio_unlock`.
    FolioUnlock,
    /// `folio_put`: drop the reference; clears the folio handle.
    FolioPut,
    /// `finish_fault` -> `set_pte_range`: maps the locked file folio; needs the fault
    /// lock (VMA read lock on the handle, or `mmap_lock`) and the folio locked by this
    /// thread.
    MapPte,
    /// `do_anonymous_page` -> `set_ptes`: maps a new anonymous page; needs the fault lock
    /// and `anon_vma` (`vmf_anon_prepare` done).
    MapAnon,
    /// `madvise_guard_install` -> `vma_set_atomic_flag(vma, VMA_MAYBE_GUARD_BIT)`: sets
    /// `VM_MAYBE_GUARD` (one of `VM_COPY_ON_FORK`) on the handle's VMA, under its VMA
    /// read lock or `mmap_lock` (mm/madvise.c, 7.2.13).
    VmaSetMaybeGuard,
    /// `guard_install_set_pte` (the page walk of `madvise_guard_install`): writes guard
    /// markers into the handle's VMA's PTEs under its VMA read lock or `mmap_lock`.
    GuardInstallPte,
    /// `fuse_dev_do_read`: the FUSE server takes a pending read request (sets the folio
    /// handle). Idles while there is none.
    FuseDevRead,
    /// `fuse_dev_do_write` -> `folio_end_read`: the reply marks the folio uptodate and
    /// unlocks it.
    FuseDevWrite,
    /// `handle_userfault` on a missing page of a uffd-registered VMA: jumps to
    /// `present` if the page is there, else queues the fault message (once).
    HandleUserfault {
        /// The page.
        folio: FolioId,
        /// Taken when the page is present (a `UFFDIO_COPY` filled it).
        present: Label,
    },
    /// `userfaultfd_read`: the uffd handler takes a pending fault message (sets the
    /// folio handle). Idles while there is none.
    UffdRead,
    /// `UFFDIO_COPY` (`mfill_atomic_copy`): fills the page of the message taken and
    /// wakes the faulting threads. Needs the destination VMA read-locked or
    /// `mmap_lock` (`uffd_lock_vma`).
    UffdioCopy,
    /// `dup_mmap`: `vm_area_dup`, `anon_vma_fork`, and the start of `copy_page_range`
    /// for one parent VMA: its page tables are being copied until
    /// [`Op::CopyPageRangeEnd`].
    CopyPageRange {
        /// The parent VMA being copied.
        vma: VmaId,
    },
    /// `copy_page_range` returns: the child's page tables for this VMA are complete.
    CopyPageRangeEnd {
        /// The parent VMA copied.
        vma: VmaId,
    },
    /// `mmap` at the address of a VMA that munmap removed: `__mmap_region` allocates a
    /// new VMA (the slab is `SLAB_TYPESAFE_BY_RCU`, so it may be the same memory) and
    /// `vma_mark_attached` it write-locked. A no-op while the old VMA is still there.
    MmapRegion {
        /// The VMA slot (address) reused.
        vma: VmaId,
    },
    /// `mprotect_fixup` -> `change_protection`: needs the VMA write-locked.
    ChangeProtection {
        /// The VMA being changed.
        vma: VmaId,
    },
    /// `unmap_vmas` / `free_pgtables` on a removed VMA (munmap): needs `mmap_lock`.
    UnmapVmas {
        /// The VMA being unmapped.
        vma: VmaId,
    },
    /// Set a flag.
    SetFlag(Flag),
    /// Clear a flag.
    ClearFlag(Flag),
    /// The handler returns `VM_FAULT_RETRY`: by contract it holds no fault lock any more
    /// (checked, see [`crate::Hazard::RetryHeld`]).
    FaultRetry,
    /// Jump if a flag is set.
    IfFlag {
        /// The flag tested.
        flag: Flag,
        /// Taken when set.
        then: Label,
    },
    /// Unconditional jump.
    Goto(Label),
    /// Nondeterministic choice: fall through or jump to `alt`; every engine explores both.
    Choose {
        /// The second alternative.
        alt: Label,
    },
    /// The thread is done (returns to user space or exits).
    Exit,
}

impl Op {
    /// The label this op may jump to.
    pub fn label(&self) -> Option<Label> {
        match *self {
            Op::MmapReadTrylock { fail }
            | Op::LockVmaUnderRcu { fail, .. }
            | Op::FolioTrylock { fail }
            | Op::VmaStartRead { fail }
            | Op::HandleUserfault { present: fail, .. } => Some(fail),
            Op::FindVma { missing, .. } => Some(missing),
            Op::FilemapGetFolio { absent, .. } => Some(absent),
            Op::IfAnonVma { then, .. }
            | Op::IfFlag { then, .. }
            | Op::IfFolioUptodate { then }
            | Op::IfFolioWriteback { then, .. } => Some(then),
            Op::Goto(l) | Op::Choose { alt: l } => Some(l),
            _ => None,
        }
    }

    /// Whether the op touches only the thread's own registers (flags, jumps, exit).
    /// Such ops run eagerly at the end of the step before them (statement merging, as
    /// SPIN does): they commute with every other thread's steps, so no verdict changes
    /// and the state space shrinks.
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Op::SetFlag(_)
                | Op::ClearFlag(_)
                | Op::IfFlag { .. }
                | Op::Goto(_)
                | Op::Exit
                | Op::FaultRetry
        )
    }

    /// The kernel function this op models.
    pub fn kernel_name(&self) -> &'static str {
        match self {
            Op::MmapReadLock => "mmap_read_lock",
            Op::MmapReadTrylock { .. } => "mmap_read_trylock",
            Op::MmapReadUnlock => "mmap_read_unlock",
            Op::MmapWriteLock => "mmap_write_lock",
            Op::MmapWriteUnlock => "mmap_write_unlock",
            Op::MmapWriteDowngrade => "mmap_write_downgrade",
            Op::LockVmaUnderRcu { .. } => "lock_vma_under_rcu",
            Op::FindVma { .. } => "find_vma",
            Op::VmaEndRead => "vma_end_read",
            Op::VmaStartRead { .. } => "vma_start_read",
            Op::VmaStartWrite { .. } => "vma_start_write",
            Op::VmaMarkDetached { .. } => "vma_mark_detached",
            Op::IfAnonVma { .. } => "vmf_anon_prepare",
            Op::AnonVmaPrepare => "__anon_vma_prepare",
            Op::FilemapGetFolio { .. } => "filemap_get_folio",
            Op::SyncMmapReadahead { .. } => "do_sync_mmap_readahead",
            Op::IfFolioUptodate { .. } => "folio_test_uptodate",
            Op::FolioWaitLocked { .. } => "folio_wait_locked",
            Op::InvalidateFolio { .. } => "invalidate_inode_pages2",
            Op::FuseWritebackStart { .. } => "fuse_writepages",
            Op::IfFolioWriteback { .. } => "folio_test_writeback",
            Op::FuseWaitWriteback { .. } => "fuse_wait_on_page_writeback",
            Op::FolioWaitWriteback { .. } => "folio_wait_writeback",
            Op::FuseRequestSend { .. } => "fuse_simple_request",
            Op::FuseRequestWait { .. } => "request_wait_answer",
            Op::FolioTrylock { .. } => "folio_trylock",
            Op::FolioLock => "folio_lock",
            Op::FolioUnlock => "folio_unlock",
            Op::FolioPut => "folio_put",
            Op::MapPte => "set_pte_range",
            Op::MapAnon => "set_ptes",
            Op::VmaSetMaybeGuard => "vma_set_atomic_flag",
            Op::GuardInstallPte => "guard_install_set_pte",
            Op::FuseDevRead => "fuse_dev_do_read",
            Op::FuseDevWrite => "fuse_dev_do_write",
            Op::HandleUserfault { .. } => "handle_userfault",
            Op::UffdRead => "userfaultfd_read",
            Op::UffdioCopy => "UFFDIO_COPY",
            Op::CopyPageRange { .. } => "copy_page_range",
            Op::CopyPageRangeEnd { .. } => "copied",
            Op::MmapRegion { .. } => "mmap_region",
            Op::ChangeProtection { .. } => "change_protection",
            Op::UnmapVmas { .. } => "unmap_vmas",
            Op::FaultRetry => "VM_FAULT_RETRY",
            Op::SetFlag(_) => "set",
            Op::ClearFlag(_) => "clear",
            Op::IfFlag { .. } => "if",
            Op::Goto(_) => "goto",
            Op::Choose { .. } => "choose",
            Op::Exit => "return",
        }
    }
}

/// An instruction: the op and the kernel function it sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instr {
    /// What it does.
    pub op: Op,
    /// The enclosing kernel function, for traces (`filemap_fault`, `dup_mmap`).
    pub site: &'static str,
}

/// A finished program: instructions and resolved labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    instrs: Vec<Instr>,
    targets: Vec<u8>,
    // Named so for the replay token's model hash, which reads this struct's Debug:
    // renaming the field or its type changes every hash.
    liveness: Liveness,
}

impl Program {
    /// The instruction at `pc`, or `None` past the end (the thread has exited).
    pub fn get(&self, pc: u8) -> Option<&Instr> {
        self.instrs.get(usize::from(pc))
    }
    /// Where a label points.
    pub fn target(&self, l: Label) -> u8 {
        self.targets[usize::from(l.0)]
    }
    /// The program counter of an exited thread.
    pub fn exit_pc(&self) -> u8 {
        self.instrs.len() as u8
    }
    /// Number of instructions.
    pub fn len(&self) -> usize {
        self.instrs.len()
    }
    /// Whether the program is empty.
    pub fn is_empty(&self) -> bool {
        self.instrs.is_empty()
    }
    /// All instructions.
    pub fn instrs(&self) -> &[Instr] {
        &self.instrs
    }
    /// The ops, in program order.
    pub fn ops(&self) -> impl Iterator<Item = Op> + '_ {
        self.instrs.iter().map(|i| i.op)
    }
    /// Which registers are live where.
    pub(crate) fn live_regs(&self) -> &Liveness {
        &self.liveness
    }
    /// Whether the VMA handle may be read from `pc` on; a step that ends at `pc`
    /// clears it otherwise (exporters that mirror the step function need this).
    pub fn vma_live(&self, pc: u8) -> bool {
        self.liveness.vma(pc)
    }
    /// The flag bits that may be read from `pc` on; a step that ends at `pc` clears
    /// the others.
    pub fn flags_live(&self, pc: u8) -> u8 {
        self.liveness.flags(pc)
    }
}

/// Builds a [`Program`] with forward and backward labels.
#[derive(Debug, Default)]
pub struct ProgramBuilder {
    instrs: Vec<Instr>,
    targets: Vec<Option<u8>>,
    site: &'static str,
}

impl ProgramBuilder {
    /// A new, empty program whose instructions sit in `site` until [`Self::site`] changes it.
    pub fn new(site: &'static str) -> Self {
        ProgramBuilder {
            instrs: Vec::new(),
            targets: Vec::new(),
            site,
        }
    }
    /// Sets the kernel function the next instructions sit in.
    pub fn site(&mut self, site: &'static str) -> &mut Self {
        self.site = site;
        self
    }
    /// A new, not yet placed label.
    pub fn label(&mut self) -> Label {
        self.targets.push(None);
        Label((self.targets.len() - 1) as u16)
    }
    /// Places `l` at the next instruction.
    pub fn place(&mut self, l: Label) -> &mut Self {
        self.targets[usize::from(l.0)] = Some(self.instrs.len() as u8);
        self
    }
    /// A new label placed at the next instruction.
    pub fn here(&mut self) -> Label {
        let l = self.label();
        self.place(l);
        l
    }
    /// Appends an instruction.
    pub fn op(&mut self, op: Op) -> &mut Self {
        self.instrs.push(Instr {
            op,
            site: self.site,
        });
        self
    }
    /// Resolves labels and computes register liveness. Fails on an unplaced or
    /// foreign label or a program over 254 instructions.
    pub fn build(self) -> Result<Program, ModelError> {
        if self.instrs.len() > 254 {
            return Err(ModelError::ProgramTooLong {
                len: self.instrs.len(),
            });
        }
        for i in &self.instrs {
            if let Some(l) =
                i.op.label()
                    .filter(|l| usize::from(l.0) >= self.targets.len())
            {
                return Err(ModelError::UnplacedLabel {
                    label: usize::from(l.0),
                });
            }
        }
        let targets = self
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| t.ok_or(ModelError::UnplacedLabel { label: i }))
            .collect::<Result<Vec<_>, _>>()?;
        let liveness = Liveness::of(&self.instrs, &targets);
        Ok(Program {
            instrs: self.instrs,
            targets,
            liveness,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_resolve_forward_and_backward() {
        let mut b = ProgramBuilder::new("test");
        let top = b.here();
        let out = b.label();
        b.op(Op::IfFlag {
            flag: Flag::Tried,
            then: out,
        })
        .op(Op::Goto(top));
        b.place(out).op(Op::Exit);
        let p = b.build().expect("all labels placed");
        assert_eq!(p.target(top), 0);
        assert_eq!(p.target(out), 2);
        assert_eq!(p.exit_pc(), 3);
    }

    #[test]
    fn an_unplaced_label_is_a_model_error() {
        let mut b = ProgramBuilder::new("test");
        let l = b.label();
        b.op(Op::Goto(l));
        assert!(matches!(
            b.build(),
            Err(ModelError::UnplacedLabel { label: 0 })
        ));
        // A label from another builder.
        let mut b = ProgramBuilder::new("test");
        b.op(Op::Goto(Label(5)));
        assert!(matches!(
            b.build(),
            Err(ModelError::UnplacedLabel { label: 5 })
        ));
    }
}
