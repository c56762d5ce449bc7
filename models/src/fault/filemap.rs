//! `filemap_fault` (mm/filemap.c) and the folio-lock wait shared with `do_swap_page`.
//!
//! Checked in source (linux-mm @009cff43): `filemap_fault` drops the fault lock
//! through `maybe_unlock_mmap_for_io` only when `fault_flag_allow_retry_first` (ALLOW_RETRY
//! and not TRIED): before `page_cache_sync_ra` on a miss (`do_sync_mmap_readahead`) and
//! in `lock_folio_maybe_drop_mmap` before sleeping on a locked folio; it then takes the
//! folio lock, and `if (fpin) { folio_unlock(folio); goto out_retry; }` with
//! `out_retry`'s `folio_put` returns `VM_FAULT_RETRY`. Not modelled: the readahead early
//! returns (`VM_RAND_READ`, `ra_pages == 0`, `mmap_miss > MMAP_LOTSAMISS`). They submit
//! nothing: `__filemap_get_folio(FGP_CREAT|FGP_FOR_MMAP)` adds the folio unlocked and
//! `page_not_uptodate` reads it with `filemap_read_folio`, after
//! `maybe_unlock_mmap_for_io` on a first try (the lock is still dropped before any
//! I/O, at another site), or inside `->read_folio` holding the lock on a TRIED pass.
//! The lock order is the one modelled; the sleep is not: for FUSE that wait is
//! `fuse_read_folio`'s synchronous request, uninterruptible once the server took it
//! (`request_wait_answer`), so such a hang is not ended by `kill -9`.

use faultline_protocol::{Flag, FolioId, Label, Op, ProgramBuilder};

use super::arch::{Exits, release};
use super::policy::{FaultLock, FaultPolicy, Page};

/// The first-try drop: if not TRIED, release the fault lock, optionally submit the
/// readahead, sleep until the folio is unlocked, put it, and return `VM_FAULT_RETRY`.
/// `filemap_fault` sleeps by taking the lock (`__folio_lock_killable`, then
/// `folio_unlock` because `fpin` is set); `do_swap_page`'s `__folio_lock_or_retry`
/// only waits (`folio_wait_locked_killable`). Returns the label a TRIED attempt
/// continues at, lock held.
fn drop_and_retry(
    b: &mut ProgramBuilder,
    lock: FaultLock,
    page: Page,
    folio: FolioId,
    readahead: bool,
    retry: Label,
) -> Label {
    let hold = b.label();
    b.op(Op::IfFlag {
        flag: Flag::Tried,
        then: hold,
    });
    release(b, lock);
    if readahead {
        b.op(Op::SyncMmapReadahead { folio });
    }
    match page {
        Page::File => {
            b.site("lock_folio_maybe_drop_mmap").op(Op::FolioLock);
            b.site("filemap_fault").op(Op::FolioUnlock);
        }
        Page::Swap => {
            b.site("__folio_lock_or_retry")
                .op(Op::FolioWaitLocked { folio });
            b.site("do_swap_page");
        }
    }
    b.op(Op::FolioPut).op(Op::FaultRetry).op(Op::Goto(retry));
    hold
}

/// The folio handle is locked (I/O in flight or another thread holds it):
/// `lock_folio_maybe_drop_mmap` / `__folio_lock_or_retry`. Falls through once this
/// thread holds the folio lock (fault lock still held), or jumps to `retry` after a
/// first-try drop.
pub(crate) fn lock_or_retry(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    lock: FaultLock,
    page: Page,
    folio: FolioId,
    retry: Label,
) {
    let wait = b.label();
    if lock == FaultLock::Vma && policy.wait_if_uptodate {
        // D1 v2: no I/O outstanding, only a brief holder: wait keeping the VMA lock.
        b.op(Op::IfFolioUptodate { then: wait });
    }
    if policy.drops(lock, page) {
        let hold = drop_and_retry(b, lock, page, folio, false, retry);
        b.place(hold);
    }
    b.place(wait).op(Op::FolioLock);
}

/// One `filemap_fault` attempt under `lock` on a file page whose folio is `folio`.
pub(crate) fn filemap_fault(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    lock: FaultLock,
    page: Page,
    folio: FolioId,
    exits: Exits,
) {
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

    b.place(contended).site("lock_folio_maybe_drop_mmap");
    lock_or_retry(b, policy, lock, page, folio, exits.retry_io);
    b.op(Op::Goto(locked));

    // Page-cache miss: ret = VM_FAULT_MAJOR; fpin = do_sync_mmap_readahead(vmf), which
    // calls maybe_unlock_mmap_for_io before page_cache_sync_ra on a first try.
    b.place(miss).site("filemap_fault");
    b.op(Op::SetFlag(Flag::Major));
    if policy.drops(lock, page) {
        let hold = drop_and_retry(b, lock, page, folio, true, exits.retry_io);
        b.place(hold).site("filemap_fault");
    }
    // TRIED (or a design that holds the lock): read and wait with the fault lock held.
    b.op(Op::SyncMmapReadahead { folio });
    b.site("lock_folio_maybe_drop_mmap").op(Op::FolioLock);

    b.place(locked).site("finish_fault").op(Op::MapPte);
    b.site("do_read_fault")
        .op(Op::FolioUnlock)
        .op(Op::FolioPut)
        .op(Op::Goto(exits.done));
}
