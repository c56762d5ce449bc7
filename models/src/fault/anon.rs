//! Anonymous faults (mm/memory.c): `do_anonymous_page` with `vmf_anon_prepare`, and
//! `do_swap_page`.
//!
//! Checked in source: `__vmf_anon_prepare` with `FAULT_FLAG_VMA_LOCK` and no
//! `anon_vma` only `mmap_read_trylock`s (a VMA reader must never sleep on
//! `mmap_lock`) and returns `VM_FAULT_RETRY` on failure; the inline wrapper
//! `vmf_anon_prepare` (mm/internal.h) then drops the VMA lock. `do_swap_page` submits
//! the swap read (`swapin_readahead`) with the fault lock held and drops it only in
//! `folio_lock_or_retry` on a first try (kernel-semantics 2.4, memory.c 6.12).

use faultline_protocol::{Flag, FolioId, Label, Op, ProgramBuilder, VmaId};

use super::arch::{Exits, Origin, fault_loop, fault_thread, release};
use super::filemap::lock_or_retry;
use super::policy::{FaultLock, FaultPolicy, Page};

/// One `do_anonymous_page` attempt (a write to a page never touched).
fn do_anonymous_page(b: &mut ProgramBuilder, policy: FaultPolicy, lock: FaultLock, exits: Exits) {
    let have = b.label();
    b.site("vmf_anon_prepare").op(Op::IfAnonVma {
        vma: None,
        then: have,
    });
    match lock {
        FaultLock::Vma if policy.anon_prepare_blocks => {
            // The lock-order bug: a VMA reader sleeping on mmap_lock.
            b.op(Op::MmapReadLock)
                .op(Op::AnonVmaPrepare)
                .op(Op::MmapReadUnlock);
        }
        FaultLock::Vma => {
            let fail = b.label();
            b.op(Op::MmapReadTrylock { fail })
                .op(Op::AnonVmaPrepare)
                .op(Op::MmapReadUnlock)
                .op(Op::Goto(have));
            // Not MAJOR: the mmap_lock attempt runs without FAULT_FLAG_TRIED.
            b.place(fail)
                .op(Op::VmaEndRead)
                .op(Op::FaultRetry)
                .op(Op::Goto(exits.retry_other));
        }
        FaultLock::Mmap => {
            b.op(Op::AnonVmaPrepare);
        }
    }
    b.place(have).site("do_anonymous_page").op(Op::MapAnon);
    b.op(Op::Goto(exits.done));
}

/// A write fault on a new page of anonymous VMA `vma`, continuing at `out` once the
/// page is mapped (or the address is gone).
pub(crate) fn anon_fault(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    origin: Origin,
    vma: VmaId,
    out: Label,
) {
    let handler = |b: &mut ProgramBuilder, lock, exits| do_anonymous_page(b, policy, lock, exits);
    fault_loop(b, policy, origin, vma, &handler, out);
}

/// One attempt on a missing page of a uffd-registered VMA (`do_anonymous_page` ->
/// `handle_userfault`, fs/userfaultfd.c): queue the message, drop the fault lock
/// before sleeping whatever TRIED says, wait for the handler, return RETRY without
/// MAJOR (kernel-semantics 2.6). The RETRY is not an I/O-wait site: D3 returns its
/// fall-back flag, D1's whitelist does not list it.
fn handle_userfault(b: &mut ProgramBuilder, lock: FaultLock, folio: FolioId, exits: Exits) {
    let present = b.label();
    b.site("handle_userfault")
        .op(Op::HandleUserfault { folio, present });
    release(b, lock);
    b.op(Op::FolioWaitLocked { folio })
        .op(Op::FaultRetry)
        .op(Op::Goto(exits.retry_other));
    // The retry finds the PTE UFFDIO_COPY installed: nothing left to do.
    b.place(present).op(Op::Goto(exits.done));
}

/// A whole fault thread on a missing page of uffd-registered VMA `vma`, resolved by
/// the handler through `folio`.
pub(crate) fn uffd_fault(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    origin: Origin,
    vma: VmaId,
    folio: FolioId,
) {
    let handler = |b: &mut ProgramBuilder, lock, exits| handle_userfault(b, lock, folio, exits);
    fault_thread(b, policy, origin, vma, &handler);
}

/// One `do_swap_page` attempt for the swapped-out page whose swap-cache folio is
/// `folio`. On a `SWP_SYNCHRONOUS_IO` device (zram; `sync`) the read completes inside
/// `swap_read_folio` with the fault lock held, in every design.
fn do_swap_page(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    lock: FaultLock,
    folio: FolioId,
    sync: bool,
    exits: Exits,
) {
    let miss = b.label();
    let try_lock = b.label();
    let contended = b.label();
    let locked = b.label();
    b.site("do_swap_page").op(Op::FilemapGetFolio {
        folio,
        absent: miss,
    });
    b.op(Op::Goto(try_lock));
    // swapin_readahead submits the read with the fault lock held.
    b.place(miss)
        .op(Op::SetFlag(Flag::Major))
        .op(Op::SyncMmapReadahead { folio });
    if sync {
        b.site("swap_read_folio")
            .op(Op::FolioLock)
            .op(Op::Goto(locked));
        b.site("do_swap_page");
    }
    b.place(try_lock)
        .op(Op::FolioTrylock { fail: contended })
        .op(Op::Goto(locked));
    b.place(contended).site("folio_lock_or_retry");
    lock_or_retry(b, policy, lock, Page::Swap, folio, exits.retry_io);
    b.op(Op::Goto(locked));
    b.place(locked).site("do_swap_page").op(Op::MapPte);
    b.op(Op::FolioUnlock)
        .op(Op::FolioPut)
        .op(Op::Goto(exits.done));
}

/// `do_swap_page` for a server's swapped-out buffer page, with the disk wait elided:
/// the swap read (`swapin_readahead`, lock held) either has completed (map under the
/// lock) or is in flight, and then a first try drops the fault lock in
/// `__folio_lock_or_retry` and returns `VM_FAULT_RETRY|MAJOR`, while a TRIED pass (or
/// a design that holds its lock for swap I/O) waits and maps holding it. A disk
/// completes on its own, so eliding its wait changes no lock order; it is elided
/// because the server's one folio register holds its FUSE request meanwhile.
fn do_swap_page_elided(b: &mut ProgramBuilder, policy: FaultPolicy, lock: FaultLock, exits: Exits) {
    let map = b.label();
    b.site("do_swap_page")
        .op(Op::SetFlag(Flag::Major))
        .op(Op::Choose { alt: map });
    if policy.drops(lock, super::policy::Page::Swap) {
        b.op(Op::IfFlag {
            flag: Flag::Tried,
            then: map,
        });
        b.site("__folio_lock_or_retry");
        release(b, lock);
        b.op(Op::FaultRetry).op(Op::Goto(exits.retry_io));
    }
    b.place(map).site("do_swap_page").op(Op::MapAnon);
    b.op(Op::Goto(exits.done));
}

/// A swap-in fault on anonymous VMA `vma` (which has an `anon_vma`: it was touched
/// before it was swapped out), continuing at `out` once the page is mapped.
pub(crate) fn swap_fault_to(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    origin: Origin,
    vma: VmaId,
    out: Label,
) {
    let handler = |b: &mut ProgramBuilder, lock, exits| do_swap_page_elided(b, policy, lock, exits);
    fault_loop(b, policy, origin, vma, &handler, out);
}

/// A whole fault thread on a swapped-out page of anonymous VMA `vma`; `sync` for a
/// synchronous swap device.
pub(crate) fn swap_fault(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    origin: Origin,
    vma: VmaId,
    folio: FolioId,
    sync: bool,
) {
    let handler = |b: &mut ProgramBuilder, lock, exits| {
        do_swap_page(b, policy, lock, folio, sync, exits);
    };
    fault_thread(b, policy, origin, vma, &handler);
}
