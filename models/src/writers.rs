//! Other `mmap_lock` writers besides mprotect, munmap and fork: each can be the
//! writer that queues in H2, and the ones that `vma_start_write` the faulting VMA can
//! replace fork in the hold-the-VMA-lock cycle (WB on today's kernels, H1 under D2).
//!
//! Read in source (mm/khugepaged.c, mm/mlock.c, mm/madvise.c, mm/mremap.c,
//! mm/mmap_lock.c; 6.1-6.12 and linux-mm): `collapse_huge_page` drops the read lock,
//! allocates, re-takes `mmap_read_lock` to revalidate, drops it, then takes a plain
//! (uninterruptible) `mmap_write_lock` and `vma_start_write`s the VMA (khugepaged,
//! and `MADV_COLLAPSE` from `madvise_collapse`, which starts under the read lock
//! `do_madvise` took). `mlock_fixup`, `madvise_update_vma` (MADV_DONTFORK and the
//! other flag changes) and mremap's shrink (`do_vmi_munmap` of the tail: the split)
//! write-lock the VMA under `mmap_write_lock_killable`. Stack expansion
//! (`lock_mm_and_find_vma` on a VM_GROWSDOWN VMA below its start) drops the read
//! lock, takes `mmap_write_lock_killable`, `expand_downwards` write-locks the stack
//! VMA, then downgrades. Not modelled: madvise_collapse re-taking the read lock after
//! the collapse, and `mlock`'s populate after the unlock.

use faultline_protocol::{Op, ProgramBuilder, VmaId};

/// A writer that write-locks `vma` under `mmap_write_lock_killable`: `entry` is the
/// syscall, `fixup` the function that calls `vma_start_write`.
pub(crate) fn vma_writer(entry: &'static str, fixup: &'static str, vma: VmaId) -> ProgramBuilder {
    let mut b = ProgramBuilder::new(entry);
    b.op(Op::MmapWriteLock);
    b.site(fixup).op(Op::VmaStartWrite { vma });
    b.site(entry).op(Op::MmapWriteUnlock).op(Op::Exit);
    b
}

/// `madvise(MADV_COLLAPSE)` of anonymous VMA `vma` (`madvise_collapse` ->
/// `collapse_huge_page`).
pub(crate) fn madv_collapse(vma: VmaId) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("do_madvise");
    b.op(Op::MmapReadLock);
    b.site("collapse_huge_page")
        .op(Op::MmapReadUnlock)
        .op(Op::MmapReadLock)
        .op(Op::MmapReadUnlock)
        .op(Op::MmapWriteLock)
        .op(Op::VmaStartWrite { vma })
        .op(Op::MmapWriteUnlock)
        .op(Op::Exit);
    b
}

/// A fault just below stack VMA `stack` (VM_GROWSDOWN) of the main thread.
pub(crate) fn stack_expansion(stack: VmaId) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("do_user_addr_fault");
    let slow = b.label();
    let upgrade = b.label();
    b.site("lock_mm_and_find_vma")
        .op(Op::MmapReadTrylock { fail: slow })
        .op(Op::Goto(upgrade));
    b.place(slow).op(Op::MmapReadLock);
    b.place(upgrade)
        .op(Op::MmapReadUnlock)
        .op(Op::MmapWriteLock);
    b.site("expand_downwards")
        .op(Op::VmaStartWrite { vma: stack })
        .op(Op::MmapWriteDowngrade);
    b.site("do_user_addr_fault")
        .op(Op::MmapReadUnlock)
        .op(Op::Exit);
    b
}
