//! `kernel-wb`: a write fault waits for FUSE writeback under its fault lock (WB), as
//! the real-kernel test `repro/c/wb.c` drives it.
//!
//! Page f of a MAP_SHARED FUSE file (writeback cache) is mapped and dirty.
//! `sync_file_range` queues its WRITE (`wb`, the page's entry in `fi->writepages`) and
//! returns; the server has not read it yet. T0 writes the page again: the PTE was
//! write-protected by `folio_clear_dirty_for_io`, so `fuse_page_mkwrite` locks the
//! page and waits for the WRITE's reply, holding the VMA lock (6.12) or
//! `mmap_read_lock` (6.1). `mprotect` of that VMA takes `mmap_write_lock`, then
//! `vma_start_write` waits for T0 (6.12), or queues behind T0's read lock (6.1); the
//! mprotect must change the VMA's flags, since `mprotect_fixup` returns before
//! `vma_start_write` when `newflags == oldflags` (seen on 6.12: a no-op mprotect
//! passes). The
//! writer can also be mlock, madvise, mremap or fork: any `vma_start_write` of the VMA
//! closes the cycle, the hold-the-VMA-lock shape of H1 today. `fork-lock=anon-cow`
//! (exempt shared VMAs from dup_mmap's locks) removes fork from it and no other
//! writer. The
//! server reads the WRITE into a cold buffer: GUP's `mmap_read_lock` waits for the
//! writer. No eviction is needed.
//!
//! Expected (source and both booted kernels): DEADLOCK; no writer, or a warm server
//! buffer, completes. T0's wait is uninterruptible on every kernel, so hung_task
//! reports it; `kill -9` still ends the cycle through the server's or writer's
//! killable wait.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioStart, Machine, ModelError, ProgramBuilder, Reclaim, Role,
    VmaId, VmaKind,
};

use super::{Scenario, folio, thread};
use crate::actors::{fork, mprotect, vma};
use crate::fault::FaultPolicy;
use crate::fuse_paths::{gup_cold_page, mkwrite_fault, sync_file_range};
use crate::kernel::{KERNEL, Kernel};
use crate::knobs::{KnobDef, KnobKind, Knobs};
use crate::writers::vma_writer;

static WRITER: KnobDef = KnobDef {
    name: "writer",
    kind: KnobKind::Choice(&["mprotect", "mlock", "madvise", "mremap", "fork", "none"]),
    default: "mprotect",
    help: "the writer of the faulting MAP_SHARED VMA: mprotect (adding PROT_EXEC), \
           mlock of its first page (split), madvise(MADV_DONTFORK), mremap shrinking \
           it, fork (dup_mmap write-locks it unless fork-lock exempts shared VMAs), or \
           none (control)",
};

static BUFFER: KnobDef = KnobDef {
    name: "buffer",
    kind: KnobKind::Choice(&["cold", "warm"]),
    default: "cold",
    help: "the server reads the WRITE into a never-touched buffer (GUP faults it in \
           under mmap_read_lock) or a pre-faulted one (control)",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "kernel-wb",
    title: "WB: fuse_page_mkwrite waits for FUSE writeback under the fault lock",
    summary: "sync: sync_file_range queues page f's WRITE; fault: write to f (shared \
              FUSE VMA F), fuse_page_mkwrite waits for the WRITE; mprotect: writer on F; \
              fuse: server thread reading the WRITE into buffer VMA B (GUP when cold).",
    knobs: &[&WRITER, &BUFFER, &KERNEL],
    properties: &["deadlock"],
    build,
};

fn build(_: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let kernel = Kernel::of(knobs);
    let (f, buf) = (VmaId(0), VmaId(1));
    let (page, wb) = (FolioId(0), FolioId(1));
    let vmas = vec![vma("F", VmaKind::SharedFile), vma("B", VmaKind::Anon)];
    let mut threads = vec![
        thread("sync", Role::Modifier, sync_file_range(wb))?,
        thread(
            "fault",
            Role::Fault,
            mkwrite_fault(kernel.user_origin(), f, page, wb),
        )?,
    ];
    let writer = match knobs.get("writer") {
        "mprotect" => Some(mprotect(f)),
        "mlock" => Some(vma_writer("do_mlock", "mlock_fixup", f)),
        "madvise" => Some(vma_writer("do_madvise", "madvise_update_vma", f)),
        "mremap" => Some(vma_writer("do_vmi_munmap", "__split_vma", f)),
        "fork" => Some(fork(&vmas, super::fork_lock(knobs))),
        _ => None,
    };
    if let Some(w) = writer {
        threads.push(thread("writer", Role::Modifier, w)?);
    }
    let mut s = ProgramBuilder::new("fuse_dev_do_read");
    let top = s.here();
    s.op(faultline_protocol::Op::FuseDevRead);
    if knobs.get("buffer") == "cold" {
        gup_cold_page(&mut s, buf);
    }
    s.site("fuse_dev_do_write")
        .op(faultline_protocol::Op::FuseDevWrite)
        .op(faultline_protocol::Op::Goto(top));
    threads.push(thread("fuse", Role::Server, s)?);
    let folios = vec![
        folio("f", Backend::Fuse, FolioStart::Cached),
        folio("wb", Backend::Fuse, FolioStart::Absent),
    ];
    Machine::new(threads, vmas, folios, admission, Reclaim::Bounded(0))
}
