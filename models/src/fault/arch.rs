//! `do_user_addr_fault` (arch/x86/mm/fault.c): the VMA-lock attempt, its retries, and
//! the `lock_mmap`/`retry` loop under `mmap_lock`.
//!
//! Checked in source: x86 `do_user_addr_fault` (torvalds @0069455b; linux-mm
//! @11232665) retries a VMA-lock `VM_FAULT_RETRY` only under `mmap_lock`, setting
//! `FAULT_FLAG_TRIED` only if `VM_FAULT_MAJOR`, and sets `FAULT_FLAG_TRIED` on every
//! `mmap_lock` retry; `lock_mm_and_find_vma` (mm/mmap_lock.c) tries
//! `mmap_read_trylock` first. The per-VMA retry of D1/D3 is the RFC's diff shape
//! (kernel-semantics 4.2, 4.4): re-lookup, fall back to `mmap_lock` if that fails.
//! Not modelled: fatal signals, `access_error`, stack expansion.

use faultline_protocol::{Flag, FolioId, Label, Op, ProgramBuilder, VmaId};

use super::filemap::filemap_fault;
use super::policy::{FaultLock, FaultPolicy, Page, Relookup, RetrySites};

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

/// Where a handler attempt goes when it returns.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exits {
    /// Done, the fault lock still held.
    pub done: Label,
    /// `VM_FAULT_RETRY` after dropping the lock for a folio/I-O wait.
    pub retry_io: Label,
    /// `VM_FAULT_RETRY` for another reason (`vmf_anon_prepare`): needs `mmap_lock`.
    pub retry_other: Label,
}

/// A handler body: one attempt under a lock.
pub(crate) type Handler<'a> = &'a dyn Fn(&mut ProgramBuilder, FaultLock, Exits);

/// `release_fault_lock`: `vma_end_read` or `mmap_read_unlock`.
pub(crate) fn release(b: &mut ProgramBuilder, lock: FaultLock) {
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

/// The arch fault loop around `handler` for an access to `vma`; continues at `out`
/// once the fault is resolved (or the address is gone: SIGSEGV).
pub(crate) fn fault_loop(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    origin: Origin,
    vma: VmaId,
    handler: Handler<'_>,
    out: Label,
) {
    let lock_mmap = b.label();
    b.site("do_user_addr_fault");
    if origin == Origin::User {
        let attempt = b.label();
        let vma_done = b.label();
        let retry_io = b.label();
        let to_mmap = b.label();
        let retry_other = match policy.vma_retry {
            Some(r) if r.sites == RetrySites::Blacklist => retry_io,
            _ => to_mmap,
        };
        b.op(Op::LockVmaUnderRcu {
            vma,
            fail: lock_mmap,
        });
        b.place(attempt);
        let exits = Exits {
            done: vma_done,
            retry_io,
            retry_other,
        };
        handler(b, FaultLock::Vma, exits);
        b.place(vma_done)
            .site("do_user_addr_fault")
            .op(Op::VmaEndRead)
            .op(Op::Goto(out));
        b.place(retry_io).site("do_user_addr_fault");
        if let Some(r) = policy.vma_retry {
            // D1/D3: the lock was dropped only to wait; retry under the VMA lock.
            if r.tried {
                b.op(Op::SetFlag(Flag::Tried));
            }
            match r.relookup {
                Relookup::Fresh => b.op(Op::LockVmaUnderRcu { vma, fail: to_mmap }),
                Relookup::KeepPointer => b.op(Op::VmaStartRead { fail: to_mmap }),
            };
            // Only the latest attempt's VM_FAULT_MAJOR decides TRIED on a fallback
            // (`fault` is reassigned by every handle_mm_fault call).
            b.op(Op::ClearFlag(Flag::Major)).op(Op::Goto(attempt));
        }
        // count_vm_vma_lock_event(VMA_LOCK_RETRY); if (fault & VM_FAULT_MAJOR)
        // flags |= FAULT_FLAG_TRIED; then lock_mmap.
        b.place(to_mmap);
        if policy.fallback_tried_on_major {
            let tried = b.label();
            b.op(Op::IfFlag {
                flag: Flag::Major,
                then: tried,
            })
            .op(Op::Goto(lock_mmap));
            b.place(tried).op(Op::SetFlag(Flag::Tried));
        }
    }
    // lock_mmap: and retry: sit together in x86 do_user_addr_fault.
    b.place(lock_mmap);
    let segv = b.label();
    let mm_done = b.label();
    let mm_retry = b.label();
    b.op(Op::ClearFlag(Flag::Major));
    lock_mm_and_find_vma(b, vma, segv);
    let exits = Exits {
        done: mm_done,
        retry_io: mm_retry,
        retry_other: mm_retry,
    };
    handler(b, FaultLock::Mmap, exits);
    b.place(mm_done)
        .site("do_user_addr_fault")
        .op(Op::MmapReadUnlock)
        .op(Op::Goto(out));
    // if (fault & VM_FAULT_RETRY) { flags |= FAULT_FLAG_TRIED; goto retry; }
    b.place(mm_retry)
        .op(Op::SetFlag(Flag::Tried))
        .op(Op::Goto(lock_mmap));
    b.place(segv)
        .site("bad_area_nosemaphore")
        .op(Op::MmapReadUnlock)
        .op(Op::Goto(out));
}

/// A whole fault thread: the arch loop around `handler`, then return to user space.
pub(crate) fn fault_thread(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    origin: Origin,
    vma: VmaId,
    handler: Handler<'_>,
) {
    let exit = b.label();
    fault_loop(b, policy, origin, vma, handler, exit);
    b.place(exit).op(Op::Exit);
}

/// A whole fault thread on a file page (`filemap_fault`).
pub(crate) fn file_fault(
    b: &mut ProgramBuilder,
    policy: FaultPolicy,
    origin: Origin,
    vma: VmaId,
    folio: FolioId,
) {
    let handler = |b: &mut ProgramBuilder, lock, exits| {
        filemap_fault(b, policy, lock, Page::File, folio, exits);
    };
    fault_thread(b, policy, origin, vma, &handler);
}

#[cfg(test)]
mod tests {
    use faultline_protocol::{Flag, FolioId, Op, ProgramBuilder, VmaId};

    use super::*;
    use crate::fault::policy::VmaRetry;

    fn program(policy: FaultPolicy, origin: Origin) -> Vec<Op> {
        let mut b = ProgramBuilder::new("test");
        file_fault(&mut b, policy, origin, VmaId(0), FolioId(0));
        b.build().expect("placed").ops().collect()
    }

    const HOLD_IO: FaultPolicy = FaultPolicy {
        hold_file: true,
        ..FaultPolicy::UPSTREAM
    };

    #[test]
    fn a_user_fault_tries_the_vma_lock_first_and_a_kernel_fault_never_does() {
        let user = program(FaultPolicy::UPSTREAM, Origin::User);
        assert!(matches!(user[0], Op::LockVmaUnderRcu { .. }));
        let kernel = program(FaultPolicy::UPSTREAM, Origin::Kernel);
        assert!(
            !kernel
                .iter()
                .any(|o| matches!(o, Op::LockVmaUnderRcu { .. }))
        );
        assert!(kernel.contains(&Op::MmapReadLock));
    }

    #[test]
    fn upstream_drops_the_vma_lock_before_readahead_and_hold_io_does_not() {
        let first = |ops: &[Op], op: Op| ops.iter().position(|o| *o == op);
        let ra = Op::SyncMmapReadahead { folio: FolioId(0) };
        let up = program(FaultPolicy::UPSTREAM, Origin::User);
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

    #[test]
    fn vma_retry_relooks_up_under_rcu_or_reuses_the_old_pointer() {
        let retry = |relookup| FaultPolicy {
            vma_retry: Some(VmaRetry {
                tried: true,
                sites: RetrySites::Whitelist,
                relookup,
            }),
            ..FaultPolicy::UPSTREAM
        };
        let fresh = program(retry(Relookup::Fresh), Origin::User);
        let lookups = fresh
            .iter()
            .filter(|o| matches!(o, Op::LockVmaUnderRcu { .. }))
            .count();
        assert_eq!(lookups, 2, "the first attempt and the retry");
        let keep = program(retry(Relookup::KeepPointer), Origin::User);
        assert!(keep.iter().any(|o| matches!(o, Op::VmaStartRead { .. })));
        // Upstream never re-takes the VMA lock after a RETRY.
        let up = program(FaultPolicy::UPSTREAM, Origin::User);
        assert!(!up.iter().any(|o| matches!(o, Op::VmaStartRead { .. })));
    }
}
