//! `kernel-h2`: H2 as the real-kernel test `repro/c/h2.c` drives it, step by step.
//!
//! T0 reads a page of a MAP_PRIVATE FUSE file. The eviction is deterministic, as in
//! the test: a `FOPEN_DIRECT_IO` mmap (`evict`) holds `mmap_write_lock` while
//! `invalidate_inode_pages2` waits for the folio under read, so it removes the folio
//! after the first pass and T0's retry queues behind it, then finds the page gone and
//! reads it again (R2) under `mmap_read_lock` with `FAULT_FLAG_TRIED`. A writer queues
//! for `mmap_write_lock`: mprotect of an unrelated page, `MADV_COLLAPSE` of another
//! range, or the main thread's stack growing (any writer does; E stands for the VMA
//! it changes). The server answers R1 from a warm
//! buffer and R2 from a cold page (GUP in `fuse_copy_fill`: `mmap_read_lock`, queued
//! behind the writer), or is a daemon process that reads `/proc/<caller>/cmdline`
//! (`access_remote_vm`: the caller's `mmap_read_lock`) before every answer.
//!
//! Expected (argued from source, checked on 6.1.192 and 6.12.95): DEADLOCK with
//! eviction, writer and a server that needs the caller's `mmap_read_lock`; every
//! control (no eviction, no writer, a daemon that never touches the caller's mm)
//! completes. 6.1 differs only in the sleeps (GUP's plain `down_read`: hung_task
//! reports it); 6.4-6.7 does not deadlock with one eviction, because the `mmap_lock`
//! pass after the VMA-lock RETRY is not TRIED and drops the lock again.

use faultline_protocol::{
    Admission, Machine, ModelError, Process, ProgramBuilder, Reclaim, Role, VmaId, VmaKind,
};

use super::{Scenario, folio, thread};
use crate::actors::{mprotect, vma};
use crate::fault::FaultPolicy;
use crate::fuse_paths::{Daemon, dio_mmap, server};
use crate::kernel::{KERNEL, Kernel};
use crate::knobs::{KnobDef, KnobKind, Knobs};
use crate::writers::{madv_collapse, stack_expansion};

static EVICTION: KnobDef = KnobDef {
    name: "eviction",
    kind: KnobKind::Choice(&["dio-mmap", "none"]),
    default: "dio-mmap",
    help: "dio-mmap = mmap of a FOPEN_DIRECT_IO open invalidates the page under \
           mmap_write_lock; none = no eviction (control)",
};

static WRITER: KnobDef = KnobDef {
    name: "writer",
    kind: KnobKind::Choice(&["mprotect", "madv-collapse", "stack-expansion", "none"]),
    default: "mprotect",
    help: "the writer that queues: mprotect of an unrelated anonymous page, \
           MADV_COLLAPSE of another anonymous range (collapse_huge_page's plain \
           mmap_write_lock), the main thread growing its stack, or none (control)",
};

static DAEMON: KnobDef = KnobDef {
    name: "daemon",
    kind: KnobKind::Choice(&["in-process", "proc-cmdline", "quiet"]),
    default: "in-process",
    help: "in-process = a server thread answering R2 from a cold page (GUP); \
           proc-cmdline = a daemon process reading /proc/<caller>/cmdline per request; \
           quiet = a daemon process that never touches the caller's mm (control)",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "kernel-h2",
    title: "H2 as the real-kernel test drives it: DIO-mmap eviction, GUP or /proc server",
    summary: "fault: read of private FUSE file VMA F; evict: mmap of a FOPEN_DIRECT_IO \
              open (invalidate_inode_pages2 under mmap_write_lock); mprotect: writer on \
              anonymous VMA E; fuse: server thread (R2 reply through GUP on cold buffer \
              VMA B) or a daemon process reading /proc/<caller>/cmdline.",
    knobs: &[&EVICTION, &WRITER, &DAEMON, &KERNEL],
    properties: &["deadlock", "writer-waits-io", "retry-drops"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    use faultline_protocol::{Backend, FolioId, FolioStart};
    let kernel = Kernel::of(knobs);
    let policy = kernel.policy(policy);
    let f = VmaId(0);
    let vmas = vec![
        vma("F", VmaKind::PrivateFile),
        vma("B", VmaKind::Anon),
        vma("E", VmaKind::Anon),
    ];
    let page = FolioId(0);
    let mut fault = ProgramBuilder::new("do_user_addr_fault");
    crate::fault::file_fault(&mut fault, policy, kernel.user_origin(), f, page);
    let mut threads = vec![thread("fault", Role::Fault, fault)?];
    if knobs.get("eviction") == "dio-mmap" {
        threads.push(thread("evict", Role::Modifier, dio_mmap(page))?);
    }
    match knobs.get("writer") {
        "mprotect" => threads.push(thread("mprotect", Role::Modifier, mprotect(VmaId(2)))?),
        "madv-collapse" => {
            threads.push(thread("collapse", Role::Modifier, madv_collapse(VmaId(2)))?)
        }
        "stack-expansion" => {
            threads.push(thread("stack", Role::Modifier, stack_expansion(VmaId(2)))?);
        }
        _ => {}
    }
    let (name, daemon, process) = match knobs.get("daemon") {
        "proc-cmdline" => ("daemon", Daemon::ProcCmdline, Process::Other),
        "quiet" => ("daemon", Daemon::Quiet, Process::Other),
        _ => ("fuse", Daemon::InProcess, Process::Mm),
    };
    let mut server = thread(name, Role::Server, server(daemon, VmaId(1)))?;
    server.process = process;
    threads.push(server);
    let folios = vec![folio("f", Backend::Fuse, FolioStart::Absent)];
    Machine::new(threads, vmas, folios, admission, Reclaim::Bounded(0))
}
