//! The page-fault path as thread programs: `do_user_addr_fault` (arch/x86/mm/fault.c),
//! `filemap_fault` (mm/filemap.c) and `do_anonymous_page` (mm/memory.c), parametrised
//! by the design's [`FaultPolicy`].
//!
//! Checked in source: x86 `do_user_addr_fault` (torvalds @0069455b; linux-mm
//! @11232665) retries a VMA-lock `VM_FAULT_RETRY` only under `mmap_lock`, setting
//! `FAULT_FLAG_TRIED` only if `VM_FAULT_MAJOR`, and sets `FAULT_FLAG_TRIED` on every
//! `mmap_lock` retry; `lock_mm_and_find_vma` (mm/mmap_lock.c) tries
//! `mmap_read_trylock` first; `filemap_fault` (mm/filemap.c, linux-mm @009cff43) drops
//! the lock through `maybe_unlock_mmap_for_io` only when `fault_flag_allow_retry_first`
//! (ALLOW_RETRY and not TRIED), and its `out_retry` does `folio_put`. Not modelled:
//! `do_sync_mmap_readahead`'s early returns (`VM_RAND_READ`, `ra_pages == 0`,
//! `mmap_miss > MMAP_LOTSAMISS`) that submit I/O with the lock held and drop it only
//! in `lock_folio_maybe_drop_mmap`; fatal signals.

use faultline_protocol::{Flag, FolioId, Label, Op, ProgramBuilder, VmaId};

/// Which lock a fault attempt runs under (`FAULT_FLAG_VMA_LOCK` or `mmap_lock` read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaultLock {
    /// The per-VMA read lock from `lock_vma_under_rcu`.
    Vma,
    /// `mmap_read_lock` from `lock_mm_and_find_vma`.
    Mmap,
}

/// What a design changes in the fault path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultPolicy {
    /// Under the VMA lock, a first-try `filemap_fault` drops the lock before it
    /// submits or waits for I/O and returns `VM_FAULT_RETRY` (today); otherwise it holds
    /// the lock across the I/O.
    pub vma_lock_drops_for_io: bool,
    /// The same for attempts under `mmap_lock`.
    pub mmap_lock_drops_for_io: bool,
}

impl FaultPolicy {
    fn drops(&self, lock: FaultLock) -> bool {
        match lock {
            FaultLock::Vma => self.vma_lock_drops_for_io,
            FaultLock::Mmap => self.mmap_lock_drops_for_io,
        }
    }
}

/// Where the fault comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A user-mode access: tries the per-VMA lock first.
    User,
    /// A kernel-mode access (`copy_to_user`): in mainline x86 and arm64
    /// `do_user_addr_fault` jumps straight to `lock_mmap` when `!(flags &
    /// FAULT_FLAG_USER)`. (Read in torvalds/linux arch/x86/mm/fault.c @0069455b; the
    /// linux-mm tree @11232665 has dropped that check, so there kernel faults behave
    /// like [`Origin::User`].)
    Kernel,
}

/// `release_fault_lock`: `vma_end_read` or `mmap_read_unlock`.
fn release(b: &mut ProgramBuilder, lock: FaultLock) {
    b.op(match lock {
        FaultLock::Vma => Op::VmaEndRead,
        FaultLock::Mmap => Op::MmapReadUnlock,
    });
}

/// `lock_mm_and_find_vma` (mm/mmap_lock.c): `mmap_read_trylock`, else
/// `mmap_read_lock_killable` (`get_mmap_lock_carefully`), then `find_vma`; jumps to
/// `segv` (with the lock held) if the address is unmapped.
fn lock_mm_and_find_vma(b: &mut ProgramBuilder, vma: VmaId, segv: Label) {
    b.site("lock_mm_and_find_vma");
    let slow = b.label();
    let find = b.label();
    b.op(Op::MmapReadTrylock { fail: slow }).op(Op::Goto(find));
    b.place(slow).op(Op::MmapReadLock);
    b.place(find).op(Op::FindVma { vma, missing: segv });
}

/// The first-try drop: `maybe_unlock_mmap_for_io` releases the fault lock only if
/// `fault_flag_allow_retry_first()` (ALLOW_RETRY and not TRIED); then the optional
/// readahead is submitted, `__folio_lock_killable` sleeps until the folio is unlocked,
/// and `if (fpin) { folio_unlock(folio); goto out_retry; }` with `out_retry`'s
/// `folio_put` returns `VM_FAULT_RETRY`. Returns the label TRIED attempts jump to.
fn drop_and_retry(
    b: &mut ProgramBuilder,
    lock: FaultLock,
    readahead: Option<FolioId>,
    retry: Label,
) -> Label {
    let hold = b.label();
    b.op(Op::IfFlag {
        flag: Flag::Tried,
        then: hold,
    });
    release(b, lock);
    if let Some(folio) = readahead {
        b.op(Op::SyncMmapReadahead { folio });
    }
    b.site("lock_folio_maybe_drop_mmap").op(Op::FolioLock);
    b.site("filemap_fault")
        .op(Op::FolioUnlock)
        .op(Op::FolioPut)
        .op(Op::Goto(retry));
    hold
}

/// One `filemap_fault` attempt under `lock` on a file page whose folio is `folio`.
/// Falls through to `done` with the lock still held after mapping the page, or jumps to
/// `retry` with the lock already dropped (`VM_FAULT_RETRY`).
fn filemap_fault(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    lock: FaultLock,
    folio: FolioId,
    done: Label,
    retry: Label,
) {
    let drops = policy.drops(lock);
    let miss = b.label();
    let contended = b.label();
    let locked = b.label();
    b.site("filemap_fault");
    b.op(Op::FilemapGetFolio {
        folio,
        absent: miss,
    });
    b.op(Op::FolioTrylock { fail: contended })
        .op(Op::Goto(locked));

    // lock_folio_maybe_drop_mmap: the folio is locked (I/O in flight or another thread).
    b.place(contended).site("lock_folio_maybe_drop_mmap");
    if drops {
        let hold = drop_and_retry(b, lock, None, retry);
        b.place(hold).site("lock_folio_maybe_drop_mmap");
    }
    b.op(Op::FolioLock).op(Op::Goto(locked));

    // Page-cache miss: ret = VM_FAULT_MAJOR; fpin = do_sync_mmap_readahead(vmf), which
    // calls maybe_unlock_mmap_for_io before page_cache_sync_ra on a first try.
    b.place(miss).site("filemap_fault");
    b.op(Op::SetFlag(Flag::Major));
    if drops {
        let hold = drop_and_retry(b, lock, Some(folio), retry);
        b.place(hold).site("filemap_fault");
    }
    // TRIED (or a design that holds the lock): read and wait with the fault lock held.
    b.op(Op::SyncMmapReadahead { folio });
    b.site("lock_folio_maybe_drop_mmap").op(Op::FolioLock);

    b.place(locked).site("finish_fault").op(Op::MapPte);
    b.site("do_read_fault")
        .op(Op::FolioUnlock)
        .op(Op::FolioPut)
        .op(Op::Goto(done));
}

/// A fault on a file page: the arch loop of `do_user_addr_fault` around
/// `filemap_fault`. Exits when the page is mapped or the address is gone.
pub(crate) fn file_fault(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    origin: Origin,
    vma: VmaId,
    folio: FolioId,
) {
    let lock_mmap = b.label();
    let exit = b.label();
    b.site("do_user_addr_fault");
    if origin == Origin::User {
        let vma_done = b.label();
        let vma_retry = b.label();
        b.op(Op::LockVmaUnderRcu {
            vma,
            fail: lock_mmap,
        });
        filemap_fault(b, policy, FaultLock::Vma, folio, vma_done, vma_retry);
        b.place(vma_done)
            .site("do_user_addr_fault")
            .op(Op::VmaEndRead)
            .op(Op::Goto(exit));
        // count_vm_vma_lock_event(VMA_LOCK_RETRY); if (fault & VM_FAULT_MAJOR)
        // flags |= FAULT_FLAG_TRIED; then lock_mmap: the retry never returns to the
        // VMA-lock path.
        b.place(vma_retry).site("do_user_addr_fault");
        let tried = b.label();
        b.op(Op::IfFlag {
            flag: Flag::Major,
            then: tried,
        })
        .op(Op::Goto(lock_mmap));
        b.place(tried).op(Op::SetFlag(Flag::Tried));
    }
    // lock_mmap: and retry: sit together in x86 do_user_addr_fault.
    b.place(lock_mmap);
    let segv = b.label();
    let mm_done = b.label();
    let mm_retry = b.label();
    b.op(Op::ClearFlag(Flag::Major));
    lock_mm_and_find_vma(b, vma, segv);
    filemap_fault(b, policy, FaultLock::Mmap, folio, mm_done, mm_retry);
    b.place(mm_done)
        .site("do_user_addr_fault")
        .op(Op::MmapReadUnlock)
        .op(Op::Goto(exit));
    // if (fault & VM_FAULT_RETRY) { flags |= FAULT_FLAG_TRIED; goto retry; }
    b.place(mm_retry)
        .op(Op::SetFlag(Flag::Tried))
        .op(Op::Goto(lock_mmap));
    b.place(segv)
        .site("bad_area_nosemaphore")
        .op(Op::MmapReadUnlock);
    b.place(exit).op(Op::Exit);
}

/// A write fault on a page of anonymous VMA `vma` (`do_anonymous_page`), continuing at
/// `done` once the page is mapped (or the address is gone).
pub(crate) fn anon_fault(b: &mut ProgramBuilder, origin: Origin, vma: VmaId, done: Label) {
    let lock_mmap = b.label();
    b.site("do_user_addr_fault");
    if origin == Origin::User {
        let have = b.label();
        let retry = b.label();
        b.op(Op::LockVmaUnderRcu {
            vma,
            fail: lock_mmap,
        });
        // vmf_anon_prepare -> __vmf_anon_prepare: with FAULT_FLAG_VMA_LOCK and no
        // anon_vma, only mmap_read_trylock (a VMA reader must never sleep on
        // mmap_lock); on failure VM_FAULT_RETRY and the wrapper drops the VMA lock.
        b.site("vmf_anon_prepare").op(Op::IfAnonVma { then: have });
        b.op(Op::MmapReadTrylock { fail: retry })
            .op(Op::AnonVmaPrepare)
            .op(Op::MmapReadUnlock);
        b.place(have).site("do_anonymous_page").op(Op::MapAnon);
        b.site("do_user_addr_fault")
            .op(Op::VmaEndRead)
            .op(Op::Goto(done));
        b.place(retry).site("vmf_anon_prepare").op(Op::VmaEndRead);
        // Not MAJOR: the mmap_lock attempt runs without FAULT_FLAG_TRIED.
    }
    b.place(lock_mmap);
    let segv = b.label();
    let have = b.label();
    lock_mm_and_find_vma(b, vma, segv);
    b.site("vmf_anon_prepare")
        .op(Op::IfAnonVma { then: have })
        .op(Op::AnonVmaPrepare);
    b.place(have).site("do_anonymous_page").op(Op::MapAnon);
    b.place(segv)
        .site("do_user_addr_fault")
        .op(Op::MmapReadUnlock)
        .op(Op::Goto(done));
}

#[cfg(test)]
mod tests {
    use faultline_protocol::{Flag, FolioId, Op, ProgramBuilder, VmaId};

    use super::*;

    fn program(policy: FaultPolicy, origin: Origin) -> Vec<Op> {
        let mut b = ProgramBuilder::new("test");
        file_fault(&mut b, policy, origin, VmaId(0), FolioId(0));
        b.build().expect("placed").ops().collect()
    }

    const UPSTREAM: FaultPolicy = FaultPolicy {
        vma_lock_drops_for_io: true,
        mmap_lock_drops_for_io: true,
    };
    const HOLD_IO: FaultPolicy = FaultPolicy {
        vma_lock_drops_for_io: false,
        mmap_lock_drops_for_io: true,
    };

    #[test]
    fn a_user_fault_tries_the_vma_lock_first_and_a_kernel_fault_never_does() {
        let user = program(UPSTREAM, Origin::User);
        assert!(matches!(user[0], Op::LockVmaUnderRcu { .. }));
        let kernel = program(UPSTREAM, Origin::Kernel);
        assert!(
            !kernel
                .iter()
                .any(|o| matches!(o, Op::LockVmaUnderRcu { .. }))
        );
        assert!(kernel.contains(&Op::MmapReadLock));
    }

    #[test]
    fn upstream_drops_the_vma_lock_before_readahead_and_hold_io_does_not() {
        // The first VmaEndRead must come before the first readahead in upstream; in
        // hold-io the VMA-lock pass has no drop before its readahead.
        let first = |ops: &[Op], op: Op| ops.iter().position(|o| *o == op);
        let ra = Op::SyncMmapReadahead { folio: FolioId(0) };
        let up = program(UPSTREAM, Origin::User);
        assert!(first(&up, Op::VmaEndRead) < first(&up, ra));
        let hold = program(HOLD_IO, Origin::User);
        assert!(first(&hold, ra) < first(&hold, Op::VmaEndRead));
        // TRIED is tested before every drop, so a TRIED pass keeps its lock.
        let tried_tests = up.iter().filter(|o| {
            matches!(
                o,
                Op::IfFlag {
                    flag: Flag::Tried,
                    ..
                }
            )
        });
        assert_eq!(
            tried_tests.count(),
            4,
            "two drop sites per pass, two passes"
        );
    }
}
