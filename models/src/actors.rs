//! The other kernel paths of the scenarios: fork (`dup_mmap`), VMA modifiers
//! (mprotect, munmap) and the in-process FUSE server.
//!
//! Checked in source: `dup_mmap` now lives in mm/mmap.c (linux-mm @07e15cb0) and calls
//! `vma_start_write_killable(mpnt)` for every parent VMA in address order, before the
//! `VM_DONTCOPY` test; the munmap order in mm/vma.c (@009857a2) is `vma_start_write`,
//! `vma_mark_detached`, `vma_iter_clear_gfp`, `mmap_write_downgrade`, page-table zap,
//! `remove_vma`, `mmap_read_unlock`.

use faultline_protocol::{FolioId, Op, ProgramBuilder, VmaId, VmaKind, VmaSpec};

use crate::fault::{FaultPolicy, Origin, anon_fault};

/// Which parent VMAs `dup_mmap` write-locks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForkLock {
    /// Every VMA: `vma_start_write_killable(mpnt)` at the head of the loop, before even
    /// the `VM_DONTCOPY` check (mm/mmap.c; commit fb49c455323f).
    All,
    /// Only `vma_is_anonymous(vma) || is_cow_mapping(vma->vm_flags)` (proposed May
    /// 2026): shared mappings keep faulting during fork.
    AnonCow,
    /// Only VMAs with an `anon_vma`, the ones `vma_needs_copy` copies PTEs for
    /// (kernel-semantics 4.5: stable during fork, since giving a VMA an `anon_vma`
    /// needs `mmap_lock`, which fork holds for write).
    AnonVma,
    /// None: the 6.4 per-VMA-lock code before fb49c455323f ("fork: lock VMAs of the
    /// parent process when forking").
    None,
}

impl ForkLock {
    /// The knob value for this policy.
    pub fn parse(v: &str) -> Option<ForkLock> {
        match v {
            "all" => Some(ForkLock::All),
            "anon-cow" => Some(ForkLock::AnonCow),
            "anon-vma" => Some(ForkLock::AnonVma),
            "none" => Some(ForkLock::None),
            _ => Option::None,
        }
    }
}

/// `dup_mmap`: `mmap_write_lock_killable(oldmm)`, then for each parent VMA in address
/// order `vma_start_write_killable` and the copy; every VMA write lock ends together at
/// `mmap_write_unlock(oldmm)` (`vma_end_write_all`).
pub(crate) fn fork(vmas: &[VmaSpec], policy: ForkLock) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("dup_mmap");
    b.op(Op::MmapWriteLock);
    for (i, spec) in vmas.iter().enumerate() {
        let vma = VmaId(i as u8);
        match policy {
            ForkLock::All => {
                b.op(Op::VmaStartWrite { vma });
            }
            ForkLock::AnonCow if spec.kind.is_anon_or_cow() => {
                b.op(Op::VmaStartWrite { vma });
            }
            ForkLock::AnonVma => {
                let lock = b.label();
                let copy = b.label();
                b.op(Op::IfAnonVma {
                    vma: Some(vma),
                    then: lock,
                })
                .op(Op::Goto(copy));
                b.place(lock).op(Op::VmaStartWrite { vma });
                b.place(copy);
            }
            ForkLock::AnonCow | ForkLock::None => {}
        }
        b.op(Op::CopyPageRange { vma })
            .op(Op::CopyPageRangeEnd { vma });
    }
    b.op(Op::MmapWriteUnlock).op(Op::Exit);
    b
}

/// mprotect of `vma`: `mmap_write_lock_killable`, `vma_start_write` (via
/// `vm_flags_reset`/`vma_modify_flags`), `change_protection`, `mmap_write_unlock`.
pub(crate) fn mprotect(vma: VmaId) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("do_mprotect_pkey");
    b.op(Op::MmapWriteLock);
    b.site("mprotect_fixup")
        .op(Op::VmaStartWrite { vma })
        .op(Op::ChangeProtection { vma });
    b.site("do_mprotect_pkey")
        .op(Op::MmapWriteUnlock)
        .op(Op::Exit);
    b
}

/// munmap of `vma` (mm/vma.c): `vms_gather_munmap_vmas` write-locks and detaches the
/// VMA (`vma_mark_detached` before `vma_iter_clear_gfp` takes it out of the tree; the
/// model does both in one step), `vms_complete_munmap_vmas` downgrades, zaps page
/// tables under the read lock, and unlocks.
pub(crate) fn munmap(vma: VmaId) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("do_vmi_munmap");
    b.op(Op::MmapWriteLock);
    b.site("vms_gather_munmap_vmas")
        .op(Op::VmaStartWrite { vma })
        .op(Op::VmaMarkDetached { vma });
    b.site("vms_complete_munmap_vmas")
        .op(Op::MmapWriteDowngrade)
        .op(Op::UnmapVmas { vma });
    b.site("do_vmi_munmap").op(Op::MmapReadUnlock).op(Op::Exit);
    b
}

/// mmap of a new mapping at `vma`'s address (`do_mmap` -> `__mmap_region`): takes the
/// freed slot if munmap has removed the old VMA (kernel-semantics H8).
pub(crate) fn mmap(vma: VmaId) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("do_mmap");
    b.op(Op::MmapWriteLock);
    b.site("__mmap_region").op(Op::MmapRegion { vma });
    b.site("do_mmap").op(Op::MmapWriteUnlock).op(Op::Exit);
    b
}

/// What a folio-lock holder waits for while it holds the lock (kernel-semantics H7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HolderWaits {
    /// Journal or writeback I/O on another folio (`->page_mkwrite` waiting on jbd2).
    Io(FolioId),
    /// `mmap_read_lock` (a holder path that needs the mm).
    Mmap,
}

/// A thread that locks `folio` (cached) and, holding it, waits for `waits`: the
/// `->page_mkwrite` or truncate holder of kernel-semantics H7.
pub(crate) fn folio_holder(folio: FolioId, waits: HolderWaits) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("do_page_mkwrite");
    let absent = b.label();
    b.op(Op::FilemapGetFolio { folio, absent })
        .op(Op::FolioLock);
    match waits {
        HolderWaits::Io(journal) => {
            b.site("jbd2_log_wait_commit")
                .op(Op::FolioWaitLocked { folio: journal });
        }
        HolderWaits::Mmap => {
            b.op(Op::MmapReadLock).op(Op::MmapReadUnlock);
        }
    }
    b.site("do_page_mkwrite")
        .op(Op::FolioUnlock)
        .op(Op::FolioPut);
    b.place(absent).op(Op::Exit);
    b
}

/// The server's fault on its buffer page in anonymous VMA `buffer`, continuing at
/// `out`: a first touch (`do_anonymous_page`), or, when `swapped`, a swap-in
/// (`do_swap_page`: the page was reclaimed; review item 27).
pub(crate) fn buffer_fault(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    origin: Origin,
    buffer: VmaId,
    swapped: bool,
    out: faultline_protocol::Label,
) {
    if swapped {
        crate::fault::swap_fault_to(b, policy, origin, buffer, out);
    } else {
        anon_fault(b, policy, origin, buffer, out);
    }
}

/// An in-process FUSE server thread: take a read request (`fuse_dev_do_read`), copy
/// the data through its buffer in anonymous VMA `buffer` (a fault on a page that is
/// not present: a fresh page per request, or one swapped out, see [`buffer_fault`]),
/// reply (`fuse_dev_do_write` completes the folio), and wait for the next request.
pub(crate) fn fuse_server(
    policy: FaultPolicy,
    buffer: VmaId,
    origin: Origin,
    swapped: bool,
) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("fuse_dev_do_read");
    let top = b.here();
    let reply = b.label();
    b.op(Op::FuseDevRead);
    buffer_fault(&mut b, policy, origin, buffer, swapped, reply);
    b.place(reply)
        .site("fuse_dev_do_write")
        .op(Op::FuseDevWrite)
        .op(Op::Goto(top));
    b
}

/// A userfaultfd handler thread of the process: read a fault message
/// (`userfaultfd_read`), produce the page in its buffer (anonymous VMA `buffer`,
/// faulting on it like the FUSE server), then `UFFDIO_COPY` into `dst` under
/// `uffd_lock_vma`, and wait for the next message.
///
/// `uffd_lock_vma` (mm/userfaultfd.c, since 6.8) takes the destination VMA's read
/// lock with `lock_vma_under_rcu`; a private VMA without an `anon_vma` is dropped
/// again, and the slow path takes the blocking `mmap_read_lock`, finds the VMA,
/// prepares its `anon_vma` and `vma_start_read_locked`s it before unlocking
/// `mmap_lock`. The model copies under `mmap_read_lock` instead: the copy is one step
/// either way, and a writer is held off until it is done in both.
pub(crate) fn uffd_server(
    policy: FaultPolicy,
    buffer: VmaId,
    origin: Origin,
    dst: VmaId,
    shared: bool,
    swapped: bool,
) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("userfaultfd_read");
    let top = b.here();
    let copy = b.label();
    let slow = b.label();
    let gone = b.label();
    let fast = b.label();
    b.op(Op::UffdRead);
    buffer_fault(&mut b, policy, origin, buffer, swapped, copy);
    b.place(copy).site("uffd_lock_vma").op(Op::LockVmaUnderRcu {
        vma: dst,
        fail: slow,
    });
    if shared {
        b.op(Op::Goto(fast));
    } else {
        b.op(Op::IfAnonVma {
            vma: None,
            then: fast,
        })
        .op(Op::VmaEndRead)
        .op(Op::Goto(slow));
    }
    b.place(fast)
        .site("mfill_atomic")
        .op(Op::UffdioCopy)
        .op(Op::VmaEndRead)
        .op(Op::Goto(top));
    b.place(slow).site("uffd_lock_vma").op(Op::MmapReadLock);
    b.site("find_vma_and_prepare_anon").op(Op::FindVma {
        vma: dst,
        missing: gone,
    });
    if !shared {
        let have = b.label();
        b.op(Op::IfAnonVma {
            vma: None,
            then: have,
        })
        .op(Op::AnonVmaPrepare);
        b.place(have);
    }
    b.site("mfill_atomic")
        .op(Op::UffdioCopy)
        .op(Op::MmapReadUnlock)
        .op(Op::Goto(top));
    // The destination is gone (-ENOENT): the scenarios never unmap it.
    b.place(gone).op(Op::MmapReadUnlock).op(Op::Goto(top));
    b
}

/// A VMA spec.
pub(crate) fn vma(name: &str, kind: VmaKind) -> VmaSpec {
    VmaSpec {
        name: name.into(),
        kind,
        anon_vma: false,
    }
}

#[cfg(test)]
mod tests {
    use faultline_protocol::{Op, VmaId, VmaKind};

    use super::*;

    fn ops(b: ProgramBuilder) -> Vec<Op> {
        b.build().expect("placed").ops().collect()
    }

    #[test]
    fn fork_write_locks_every_vma_in_address_order_then_unlocks_once() {
        let vmas = [vma("B", VmaKind::Anon), vma("F", VmaKind::SharedFile)];
        let all = ops(fork(&vmas, ForkLock::All));
        let locks: Vec<_> = all
            .iter()
            .filter(|o| matches!(o, Op::VmaStartWrite { .. }))
            .collect();
        assert_eq!(
            locks,
            [
                &Op::VmaStartWrite { vma: VmaId(0) },
                &Op::VmaStartWrite { vma: VmaId(1) }
            ]
        );
        assert_eq!(all.first(), Some(&Op::MmapWriteLock));
        assert_eq!(all.iter().filter(|o| **o == Op::MmapWriteUnlock).count(), 1);
        // anon-cow skips the shared mapping but still copies it.
        let anon_cow = ops(fork(&vmas, ForkLock::AnonCow));
        assert!(!anon_cow.contains(&Op::VmaStartWrite { vma: VmaId(1) }));
        assert!(anon_cow.contains(&Op::CopyPageRange { vma: VmaId(1) }));
    }

    #[test]
    fn the_fuse_server_faults_on_its_buffer_for_every_request() {
        let ops = ops(fuse_server(
            FaultPolicy::UPSTREAM,
            VmaId(1),
            Origin::Kernel,
            false,
        ));
        let read = ops
            .iter()
            .position(|o| *o == Op::FuseDevRead)
            .expect("reads requests");
        let write = ops
            .iter()
            .position(|o| *o == Op::FuseDevWrite)
            .expect("replies");
        assert!(
            ops[read..write].contains(&Op::MapAnon),
            "the buffer fault sits between them"
        );
        assert_eq!(
            ops[write + 1],
            Op::Goto(faultline_protocol::Label(0)),
            "and loops"
        );
        // Kernel mode (copy_to_user): no per-VMA lock attempt at all.
        assert!(!ops.iter().any(|o| matches!(o, Op::LockVmaUnderRcu { .. })));
        let user = fuse_server(FaultPolicy::UPSTREAM, VmaId(1), Origin::User, false)
            .build()
            .expect("placed");
        assert!(
            user.instrs()
                .iter()
                .any(|i| matches!(i.op, Op::LockVmaUnderRcu { .. }))
        );
    }
}
