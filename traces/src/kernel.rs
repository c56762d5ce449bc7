//! Which kernel a model follows, and how each blocking op sleeps there.
//!
//! The `kernel` knob selects the behaviours that differ between the kernels the
//! real-kernel harness (`repro/`) boots and the tree the rest of the model reads:
//!
//! | value | per-VMA lock | mmap_lock pass after a VMA-lock RETRY\|MAJOR | GUP's `mmap_read_lock` |
//! |---|---|---|---|
//! | `6.1` | none: every fault starts at `lock_mm_and_find_vma` | (no VMA pass) | `down_read` in `get_user_pages_unlocked` (uninterruptible) |
//! | `6.4-6.7` | yes | not TRIED: it drops the lock for I/O again | `down_read_killable` |
//! | `6.12` | yes (`vm_lock` rwsem: `vma_start_write` is a plain `down_write`) | TRIED (x86 since 6.8) | `down_read_killable` in `__gup_longterm_locked` |
//! | `newest` | yes (refcount + rcuwait) | TRIED | `down_read_killable` |
//!
//! `newest` is what every scenario without this knob follows: the 2026 linux-mm mm
//! core with torvalds x86 `do_user_addr_fault` @0069455b (see README "Which kernel").
//! 6.4-6.6 also ran only anonymous faults under the VMA lock; that is not modelled.
//!
//! [`wait`] says, for an op a thread is blocked at, which kernel function it sleeps in,
//! the frames a kernel stack shows for it, and whether the sleep is killable
//! (`TASK_KILLABLE`: `kill -9` wakes it) or uninterruptible (`TASK_UNINTERRUPTIBLE`:
//! hung_task reports it after `hung_task_timeout_secs`). Read in the booted kernels'
//! stacks (6.1.192, 6.12.95, `repro/README.md`) and in source.

use faultline_protocol::{Op, Program};

/// A kernel version the model can follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// 6.1 (Debian bookworm): no per-VMA locks.
    V6_1,
    /// 6.4-6.7: per-VMA locks, no TRIED on the `mmap_lock` fallback.
    V6_4To6_7,
    /// 6.12 (Debian bookworm-backports).
    V6_12,
    /// The tree the default model follows.
    Newest,
}

impl Kernel {
    /// The `kernel` knob's value among a model's `(knob, value)` pairs (`newest` when
    /// the scenario has no such knob).
    pub fn of<'a>(knobs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Kernel {
        let value = knobs.into_iter().find(|(k, _)| *k == "kernel");
        match value.map_or("", |(_, v)| v) {
            "6.1" => Kernel::V6_1,
            "6.4-6.7" => Kernel::V6_4To6_7,
            "6.12" => Kernel::V6_12,
            _ => Kernel::Newest,
        }
    }

    /// The knob value (`6.12`).
    pub fn name(self) -> &'static str {
        match self {
            Kernel::V6_1 => "6.1",
            Kernel::V6_4To6_7 => "6.4-6.7",
            Kernel::V6_12 => "6.12",
            Kernel::Newest => "newest",
        }
    }
}

/// How a kernel wait sleeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sleep {
    /// `TASK_KILLABLE`: a fatal signal ends the wait; `/proc` shows D; hung_task
    /// ignores it.
    Killable,
    /// `TASK_INTERRUPTIBLE`: any signal ends the wait; `/proc` shows S; hung_task
    /// ignores it.
    Interruptible,
    /// `TASK_UNINTERRUPTIBLE`: only the event ends it; hung_task reports it.
    Uninterruptible,
}

impl Sleep {
    /// `killable`, `interruptible`, `uninterruptible`.
    pub fn word(self) -> &'static str {
        match self {
            Sleep::Killable => "killable",
            Sleep::Interruptible => "interruptible",
            Sleep::Uninterruptible => "uninterruptible",
        }
    }

    /// The state letter `/proc/PID/stat` shows for a task asleep so.
    pub fn state(self) -> char {
        match self {
            Sleep::Interruptible => 'S',
            Sleep::Killable | Sleep::Uninterruptible => 'D',
        }
    }
}

/// The kernel wait an op blocks in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelWait {
    /// The sleeping primitive (`down_read_killable`, `__folio_lock_killable`).
    pub function: &'static str,
    /// Frames a stack of the sleeping task shows, innermost first (each must appear).
    pub frames: &'static [&'static str],
    /// Killable or not.
    pub sleep: Sleep,
}

const fn kw(function: &'static str, frames: &'static [&'static str], sleep: Sleep) -> KernelWait {
    KernelWait {
        function,
        frames,
        sleep,
    }
}

/// The wait of `op` at `site` (the op a blocked thread is at) on `kernel`; `None` for
/// ops that never sleep.
pub fn wait(kernel: Kernel, op: Op, site: &str) -> Option<KernelWait> {
    use Sleep::{Interruptible, Killable, Uninterruptible};
    let old = kernel == Kernel::V6_1;
    Some(match (op, site) {
        // GUP slow path: 6.1 get_user_pages_unlocked -> mmap_read_lock (down_read);
        // 6.12 __gup_longterm_locked -> mmap_read_lock_killable.
        (Op::MmapReadLock, "fuse_copy_fill") if old => kw(
            "down_read",
            &[
                "rwsem_down_read_slowpath",
                "get_user_pages_unlocked",
                "fuse_copy_fill",
            ],
            Uninterruptible,
        ),
        (Op::MmapReadLock, "fuse_copy_fill") => kw(
            "down_read_killable",
            &[
                "rwsem_down_read_slowpath",
                "down_read_killable",
                "fuse_copy_fill",
            ],
            Killable,
        ),
        // get_mm_cmdline -> access_remote_vm -> mmap_read_lock_killable.
        (Op::MmapReadLock, "access_remote_vm") => kw(
            "down_read_killable",
            &[
                "rwsem_down_read_slowpath",
                "down_read_killable",
                "access_remote_vm",
            ],
            Killable,
        ),
        // collapse_huge_page's revalidation: plain mmap_read_lock.
        (Op::MmapReadLock, "collapse_huge_page") => kw(
            "down_read",
            &["rwsem_down_read_slowpath", "collapse_huge_page"],
            Uninterruptible,
        ),
        // A user fault's fallback: lock_mm_and_find_vma -> get_mmap_lock_carefully ->
        // mmap_read_lock_killable (6.12: repro/tests/logs/6.12-wb-fork.log's server).
        (Op::MmapReadLock, "lock_mm_and_find_vma") => kw(
            "down_read_killable",
            &[
                "rwsem_down_read_slowpath",
                "down_read_killable",
                "lock_mm_and_find_vma",
            ],
            Killable,
        ),
        // futex_wait on a shared futex word: get_futex_key -> get_user_pages_fast,
        // whose slow path is GUP's (6.12: __gup_longterm_locked, the wb-fork log; 6.1:
        // get_user_pages_unlocked's plain mmap_read_lock, as for fuse_copy_fill).
        (Op::MmapReadLock, "get_futex_key") if old => kw(
            "down_read",
            &["get_user_pages_unlocked", "get_futex_key"],
            Uninterruptible,
        ),
        (Op::MmapReadLock, "get_futex_key") => kw(
            "down_read_killable",
            &[
                "rwsem_down_read_slowpath",
                "down_read_killable",
                "__gup_longterm_locked",
                "get_futex_key",
            ],
            Killable,
        ),
        // Plain mmap_read_lock, uninterruptible on 6.1-7.2: MADV_COLLAPSE's
        // mm/madvise.c madvise_lock (MADVISE_MMAP_READ_LOCK), the UFFDIO_COPY
        // fallback's mm/userfaultfd.c uffd_lock_vma (fs/userfaultfd.c up to 6.x), and
        // MADV_GUARD_INSTALL's try_vma_read_lock fallback (mm/madvise.c, 7.2.13).
        (Op::MmapReadLock, "madvise_collapse" | "uffd_server" | "madvise_guard_install") => {
            kw("down_read", &["rwsem_down_read_slowpath"], Uninterruptible)
        }
        // get_mmap_lock_carefully: mmap_read_lock_killable.
        (Op::MmapReadLock, _) => kw(
            "down_read_killable",
            &["rwsem_down_read_slowpath", "down_read_killable"],
            Killable,
        ),
        (Op::MmapWriteLock, "do_mprotect_pkey") => kw(
            "down_write_killable",
            &[
                "rwsem_down_write_slowpath",
                "down_write_killable",
                "do_mprotect_pkey",
            ],
            Killable,
        ),
        // userfaultfd_register (fs/userfaultfd.c): plain mmap_write_lock.
        (Op::MmapWriteLock, "userfaultfd_register") => kw(
            "down_write",
            &["rwsem_down_write_slowpath", "userfaultfd_register"],
            Uninterruptible,
        ),
        // collapse_huge_page: plain mmap_write_lock.
        (Op::MmapWriteLock, "collapse_huge_page") => kw(
            "down_write",
            &["rwsem_down_write_slowpath", "collapse_huge_page"],
            Uninterruptible,
        ),
        // mprotect, mmap, munmap, fork, mlock, madvise, stack expansion:
        // mmap_write_lock_killable.
        (Op::MmapWriteLock, _) => kw(
            "down_write_killable",
            &["rwsem_down_write_slowpath", "down_write_killable"],
            Killable,
        ),
        // 6.12 fork: dup_mmap is inlined into copy_process (the wb-fork log's writer).
        (Op::VmaStartWrite { .. }, "dup_mmap") if kernel == Kernel::V6_12 => kw(
            "down_write",
            &["rwsem_down_write_slowpath", "down_write", "copy_process"],
            Uninterruptible,
        ),
        // 6.12 vma_start_write: down_write(&vma->vm_lock->lock).
        (Op::VmaStartWrite { .. }, _) if kernel == Kernel::V6_12 => kw(
            "down_write",
            &["rwsem_down_write_slowpath", "down_write"],
            Uninterruptible,
        ),
        // newest: __vma_start_write -> rcuwait_wait_event(TASK_UNINTERRUPTIBLE); fork's
        // vma_start_write_killable is killable.
        (Op::VmaStartWrite { .. }, "dup_mmap") if kernel == Kernel::Newest => {
            kw("vma_start_write_killable", &["__vma_start_write"], Killable)
        }
        (Op::VmaStartWrite { .. }, _) => {
            kw("vma_start_write", &["vma_start_write"], Uninterruptible)
        }
        // filemap_fault: lock_folio_maybe_drop_mmap -> __folio_lock_killable (both
        // passes: FAULT_FLAG_KILLABLE is in FAULT_FLAG_DEFAULT); drop_for_io's lock is
        // filemap_fault's first-try sleep.
        (Op::FolioLock, "filemap_fault" | "drop_for_io") => kw(
            "__folio_lock_killable",
            &["folio_wait_bit_common", "filemap_fault"],
            Killable,
        ),
        // lock_folio_maybe_drop_mmap serves filemap_fault and do_swap_page's
        // __folio_lock_or_retry: both __folio_lock_killable under FAULT_FLAG_KILLABLE.
        (Op::FolioLock, "lock_folio_maybe_drop_mmap") => kw(
            "__folio_lock_killable",
            &["folio_wait_bit_common"],
            Killable,
        ),
        (Op::FolioLock, _) => kw("__folio_lock", &["folio_wait_bit_common"], Uninterruptible),
        // do_uffd_missing: handle_userfault sleeps in userfaultfd_get_blocking_state(): TASK_INTERRUPTIBLE
        // for a user fault (FAULT_FLAG_DEFAULT has INTERRUPTIBLE), TASK_KILLABLE for a
        // GUP without FOLL_INTERRUPTIBLE. Either way SIGKILL wakes it and hung_task
        // ignores it, which is all `Sleep` records.
        (Op::FolioWaitLocked { .. }, "do_uffd_missing") => {
            kw("handle_userfault", &["handle_userfault"], Killable)
        }
        // do_swap_page's first-try drop: folio_wait_locked_killable.
        (Op::FolioWaitLocked { .. }, "drop_for_io") => kw(
            "folio_wait_locked_killable",
            &["folio_wait_bit_common"],
            Killable,
        ),
        (Op::FolioWaitLocked { .. }, _) => kw(
            "folio_wait_locked",
            &["folio_wait_bit_common"],
            Uninterruptible,
        ),
        // invalidate_inode_pages2_range: folio_lock.
        (Op::InvalidateFolio { .. }, _) => kw(
            "folio_lock",
            &["folio_wait_bit_common", "invalidate_inode_pages2_range"],
            Uninterruptible,
        ),
        // Up to 6.15: fuse_wait_on_page_writeback: wait_event(fi->page_waitq, ...).
        (Op::FuseWaitWriteback { .. }, _) => kw(
            "fuse_wait_on_page_writeback",
            &["fuse_page_mkwrite"],
            Uninterruptible,
        ),
        // Since 6.16 on a FUSE folio: folio_wait_writeback -> folio_wait_bit(PG_writeback)
        // (7.2 WB logs: folio_wait_bit_common<folio_wait_writeback<fuse_page_mkwrite).
        (Op::FolioWaitWriteback { .. }, "fuse_page_mkwrite") => kw(
            "folio_wait_writeback",
            &[
                "folio_wait_bit_common",
                "folio_wait_writeback",
                "fuse_page_mkwrite",
            ],
            Uninterruptible,
        ),
        (Op::FolioWaitWriteback { .. }, _) => kw(
            "folio_wait_writeback",
            &["folio_wait_bit_common", "folio_wait_writeback"],
            Uninterruptible,
        ),
        // fs/fuse/dev.c request_wait_answer: wait_event_interruptible (the tests' server
        // never answers INTERRUPT, so fc->no_interrupt stays 0); a fatal signal while
        // the request is pending dequeues it (6.1, 6.12 mc-wbc logs: state S in
        // request_wait_answer<__fuse_simple_request<fuse_flush_times<fuse_write_inode).
        // Not modelled: once the server has taken the request, the kernel waits it out
        // uninterruptibly.
        (Op::FuseRequestWait { .. }, _) => kw(
            "request_wait_answer",
            &["request_wait_answer"],
            Interruptible,
        ),
        _ => return None,
    })
}

/// The sites [`wait`] has classified, per blocking op (by its kernel name): every
/// function of the catalog that calls a sleeping primitive, each read in source.
const SITES: &[(&str, &[&str])] = &[
    (
        "mmap_read_lock",
        &[
            // explicit rows
            "fuse_copy_fill",
            "access_remote_vm",
            "collapse_huge_page",
            // plain mmap_read_lock: madvise_lock, UFFDIO_COPY's uffd_lock_vma,
            // try_vma_read_lock
            "madvise_collapse",
            "uffd_server",
            "madvise_guard_install",
            // mmap_read_lock_killable: get_mmap_lock_carefully, a holder's
            // page_mkwrite path, the H9 patch under test
            "lock_mm_and_find_vma",
            "lock_mm_and_expand_stack",
            "do_page_mkwrite",
            "vmf_anon_prepare",
            "get_futex_key",
            // Hz2/Hz5 readers (issue 16): lock_next_vma's fallback and m_start
            // (/proc/PID/maps), process_mrelease
            "lock_next_vma_under_mmap_lock",
            "m_start",
            "process_mrelease",
        ],
    ),
    (
        "mmap_write_lock",
        &[
            "do_mprotect_pkey",
            "collapse_huge_page",
            // mmap_write_lock_killable
            "dup_mmap",
            "do_vmi_munmap",
            "do_vmi_munmap_fuse",
            "do_mmap",
            "vm_mmap_pgoff",
            "vm_mmap_anon",
            "do_mlock",
            "do_madvise",
            "do_mremap",
            "lock_mm_and_expand_stack",
            // Hz8 writers (issue 16): UFFDIO_REGISTER (plain), prctl(PR_SET_VMA)
            "userfaultfd_register",
            "prctl_set_vma",
        ],
    ),
    (
        "vma_start_write",
        &[
            "dup_mmap",
            "mprotect_fixup",
            "vms_gather_munmap_vmas",
            "mlock_fixup",
            "madvise_update_vma",
            "__split_vma",
            "collapse_huge_page",
            "expand_downwards",
            // userfaultfd_set_ctx, madvise_update_vma (issue 16, Hz8)
            "userfaultfd_register",
            "prctl_set_vma",
        ],
    ),
    (
        "folio_lock",
        &[
            "filemap_fault",
            "drop_for_io",
            "lock_folio_maybe_drop_mmap",
            // __folio_lock: swap_read_folio's synchronous read, a holder's
            // page_mkwrite, fuse_page_mkwrite's lock_page
            "do_swap_page",
            "do_page_mkwrite",
            "fuse_page_mkwrite",
            // a driver ->fault's lock_page (retry-hard, issue 16)
            "do_vma_lock_unsafe",
            // writeback_get_folio's folio_lock (uptodate-wb's sync_file_range)
            "sync_file_range_page",
        ],
    ),
    (
        "folio_wait_locked",
        &["drop_for_io", "do_uffd_missing", "jbd2_log_wait_commit"],
    ),
    (
        "invalidate_inode_pages2",
        &["invalidate_inode_pages2_range"],
    ),
    ("fuse_wait_on_page_writeback", &["fuse_page_mkwrite"]),
    // fuse_write_inode's SETATTR (munmap-close with writeback-cache=on)
    ("request_wait_answer", &["fuse_flush_times"]),
    (
        "folio_wait_writeback",
        &[
            "fuse_page_mkwrite",
            "invalidate_inode_pages2_range",
            // fuse_vma_close's filemap_fdatawait (munmap-close)
            "write_inode_now",
        ],
    ),
];

/// Why `op` at `site` has no classified wait: `None` if it never sleeps or [`wait`]
/// has an entry for the site (a test requires it for every site in the catalog).
pub fn unclassified(kernel: Kernel, op: Op, site: &str) -> Option<String> {
    wait(kernel, op, site)?;
    let name = op.kernel_name();
    match SITES.iter().find(|(o, _)| *o == name) {
        Some((_, sites)) if sites.contains(&site) => None,
        Some(_) => Some(format!("`{name}` in `{site}`")),
        None => Some(format!("`{name}` sleeps but has no row in SITES")),
    }
}

/// The kernel wait of the instruction a thread is blocked at.
pub fn wait_at(kernel: Kernel, program: &Program, pc: u8) -> Option<KernelWait> {
    let i = program.get(pc)?;
    wait(kernel, i.op, i.site)
}

#[cfg(test)]
mod tests {
    use faultline_protocol::VmaId;

    use super::*;

    #[test]
    fn gup_sleeps_uninterruptibly_only_on_6_1() {
        let g = |k| wait(k, Op::MmapReadLock, "fuse_copy_fill").expect("sleeps");
        assert_eq!(g(Kernel::V6_1).sleep, Sleep::Uninterruptible);
        assert_eq!(g(Kernel::V6_1).function, "down_read");
        assert_eq!(g(Kernel::V6_12).sleep, Sleep::Killable);
    }

    #[test]
    fn a_uffd_fault_sleeps_where_sigkill_wakes_it() {
        let w = wait(
            Kernel::Newest,
            Op::FolioWaitLocked {
                folio: faultline_protocol::FolioId(0),
            },
            "do_uffd_missing",
        );
        assert_eq!(
            w.map(|w| (w.function, w.sleep)),
            Some(("handle_userfault", Sleep::Killable))
        );
    }

    #[test]
    fn writeback_and_vma_write_waits_are_uninterruptible() {
        let wb = wait(
            Kernel::V6_12,
            Op::FuseWaitWriteback {
                folio: faultline_protocol::FolioId(1),
            },
            "x",
        );
        assert_eq!(wb.map(|w| w.sleep), Some(Sleep::Uninterruptible));
        let v = wait(
            Kernel::V6_12,
            Op::VmaStartWrite { vma: VmaId(0) },
            "mprotect_fixup",
        );
        assert_eq!(v.map(|w| w.function), Some("down_write"));
        assert_eq!(wait(Kernel::V6_12, Op::MapPte, "x"), None);
        let pg = wait(
            Kernel::Newest,
            Op::FolioWaitWriteback {
                folio: faultline_protocol::FolioId(1),
            },
            "fuse_page_mkwrite",
        );
        assert_eq!(
            pg.map(|w| (w.frames.last().copied(), w.sleep)),
            Some((Some("fuse_page_mkwrite"), Sleep::Uninterruptible))
        );
    }

    /// newest-kernels.md section 1 rows 29 and 34: both were classified killable.
    #[test]
    fn madvise_collapse_and_uffdio_copy_read_locks_are_uninterruptible() {
        for site in ["madvise_collapse", "uffd_server"] {
            let w = wait(Kernel::Newest, Op::MmapReadLock, site).expect("sleeps");
            assert_eq!((w.function, w.sleep), ("down_read", Sleep::Uninterruptible));
        }
    }
}
