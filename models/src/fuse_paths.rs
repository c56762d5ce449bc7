//! The FUSE paths the real-kernel tests (`repro/`) drive, as thread programs: the
//! server's GUP copy, the `FOPEN_DIRECT_IO` mmap that invalidates the page cache, a
//! daemon in another process reading `/proc/<caller>/cmdline`, `sync_file_range` and
//! the write fault that waits in `fuse_page_mkwrite`.
//!
//! Checked in the booted kernels' stacks (6.1.192, 6.12.95) and source:
//! `fuse_copy_fill` pins the server's buffer with `iov_iter_get_pages2` ->
//! `get_user_pages_fast`; a missing PTE takes the slow path, `mmap_read_lock` (6.1
//! `get_user_pages_unlocked`: `down_read`; 6.12 `__gup_longterm_locked`:
//! `down_read_killable`), never a per-VMA lock, then `handle_mm_fault` under it.
//! `fuse_file_mmap` on a `FOPEN_DIRECT_IO` file calls `invalidate_inode_pages2` with
//! the caller's `mmap_write_lock` held (from `vm_mmap_pgoff`). `get_mm_cmdline` ->
//! `access_remote_vm` -> `mmap_read_lock_killable(mm)` of the target process.
//! `fuse_page_mkwrite`: `lock_page`, then `fuse_wait_on_page_writeback` (a
//! `wait_event` until the page leaves `fi->writepages`, which only the WRITE's reply
//! ends), then `VM_FAULT_LOCKED`; FUSE's vm_ops has `->map_pages`, so 6.12 runs it
//! under the per-VMA lock.

use faultline_protocol::{FolioId, Op, ProgramBuilder, VmaId};

use crate::fault::Origin;

/// GUP on a cold page of `buffer` from `fuse_copy_fill`: `mmap_read_lock`, fault the
/// page in under it (`faultin_page` -> `handle_mm_fault` -> `do_anonymous_page`),
/// unlock. No VMA lock on any kernel.
pub(crate) fn gup_cold_page(b: &mut ProgramBuilder, buffer: VmaId) {
    let unlock = b.label();
    let have = b.label();
    b.site("fuse_copy_fill").op(Op::MmapReadLock);
    b.site("faultin_page")
        .op(Op::FindVma {
            vma: buffer,
            missing: unlock,
        })
        .op(Op::IfAnonVma {
            vma: None,
            then: have,
        })
        .op(Op::AnonVmaPrepare);
    b.place(have).site("do_anonymous_page").op(Op::MapAnon);
    b.place(unlock)
        .site("fuse_copy_fill")
        .op(Op::MmapReadUnlock);
}

/// How the server touches the faulting process's mm while it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Daemon {
    /// A thread of the process: answers the first READ from its warm buffer, every
    /// later one from a cold page (GUP).
    InProcess,
    /// Another process that reads `/proc/<caller>/cmdline` before each answer.
    ProcCmdline,
    /// Another process that never touches the caller's mm.
    Quiet,
}

/// The FUSE server of `kernel-h2`.
pub(crate) fn server(daemon: Daemon, buffer: VmaId) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("fuse_dev_do_read");
    if daemon == Daemon::InProcess {
        // R1 from the pre-faulted buffer: no fault.
        b.op(Op::FuseDevRead)
            .site("fuse_dev_do_write")
            .op(Op::FuseDevWrite);
    }
    let top = b.here();
    b.site("fuse_dev_do_read").op(Op::FuseDevRead);
    match daemon {
        Daemon::InProcess => gup_cold_page(&mut b, buffer),
        Daemon::ProcCmdline => {
            b.site("access_remote_vm")
                .op(Op::MmapReadLock)
                .op(Op::MmapReadUnlock);
        }
        Daemon::Quiet => {}
    }
    b.site("fuse_dev_do_write")
        .op(Op::FuseDevWrite)
        .op(Op::Goto(top));
    b
}

/// mmap of a `FOPEN_DIRECT_IO` open of the file: `vm_mmap_pgoff` takes
/// `mmap_write_lock_killable`, `fuse_file_mmap` -> `invalidate_inode_pages2` waits for
/// the folio and removes it, all before the unlock.
pub(crate) fn dio_mmap(folio: FolioId) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("vm_mmap_pgoff");
    b.op(Op::MmapWriteLock);
    b.site("invalidate_inode_pages2_range")
        .op(Op::InvalidateFolio { folio });
    b.site("vm_mmap_pgoff").op(Op::MmapWriteUnlock).op(Op::Exit);
    b
}

/// `sync_file_range(SYNC_FILE_RANGE_WRITE)` on the dirty page: its WRITE (`wb`) is
/// queued for the server and the call returns.
pub(crate) fn sync_file_range(wb: FolioId) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("fuse_writepages");
    b.op(Op::FuseWritebackStart { folio: wb }).op(Op::Exit);
    b
}

/// A write to a mapped, write-protected page `page` of MAP_SHARED file VMA `vma`
/// (`do_wp_page` -> `wp_page_shared` -> `do_page_mkwrite` -> `fuse_page_mkwrite`),
/// whose FUSE writeback entry is `wb`. Under the VMA lock where the kernel has one
/// (`origin` user), else under `mmap_read_lock` from `lock_mm_and_find_vma`.
pub(crate) fn mkwrite_fault(
    origin: Origin,
    vma: VmaId,
    page: FolioId,
    wb: FolioId,
) -> ProgramBuilder {
    let mut b = ProgramBuilder::new("do_user_addr_fault");
    // the page is mapped (vmf->page); never evicted in the scenarios that use this
    let body = |b: &mut ProgramBuilder, release: Op| {
        let gone = b.label();
        b.site("fuse_page_mkwrite")
            .op(Op::FilemapGetFolio {
                folio: page,
                absent: gone,
            })
            .op(Op::FolioLock)
            .op(Op::FuseWaitWriteback { folio: wb });
        b.site("wp_page_shared")
            .op(Op::MapPte)
            .op(Op::FolioUnlock)
            .op(Op::FolioPut);
        b.place(gone)
            .site("do_user_addr_fault")
            .op(release)
            .op(Op::Exit);
    };
    let mmap = b.label();
    if origin == Origin::User {
        b.op(Op::LockVmaUnderRcu { vma, fail: mmap });
        body(&mut b, Op::VmaEndRead);
    }
    let slow = b.label();
    let find = b.label();
    let segv = b.label();
    b.place(mmap)
        .site("lock_mm_and_find_vma")
        .op(Op::MmapReadTrylock { fail: slow })
        .op(Op::Goto(find));
    b.place(slow).op(Op::MmapReadLock);
    b.place(find).op(Op::FindVma { vma, missing: segv });
    body(&mut b, Op::MmapReadUnlock);
    b.place(segv).op(Op::MmapReadUnlock).op(Op::Exit);
    b
}
