//! H1: fork while a fault waits for a page served by an in-process FUSE server (or
//! userfaultfd handler).

use faultline_protocol::{Admission, Machine, ModelError, Role, VmaId, VmaKind};

use super::{
    EVICTIONS_0, MAPPING, SERVER, SERVER_BUFFER, SERVER_FAULT, Scenario, fork_lock, reclaim,
    served_fault, thread,
};
use crate::actors::fork;
use crate::fault::FaultPolicy;
use crate::knobs::{KnobDef, KnobKind, Knobs};

static ORDER: KnobDef = KnobDef {
    name: "order",
    kind: KnobKind::Choice(&["buffer-first", "file-first"]),
    default: "buffer-first",
    help: "address order of the server's buffer B and the served VMA (fork locks in order)",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "fork-fuse",
    title: "H1: fork vs a fault served by an in-process FUSE server",
    summary: "fault: user read of file VMA F on a FUSE mount, folio f not cached (or, \
              with server=uffd, a missing page of uffd-registered VMA U); fork: \
              dup_mmap of the process; fuse (uffd): the server thread, whose buffer is \
              anonymous VMA B and faults on every request (a fresh page, or a swapped-out \
              one with server-buffer=swapped).",
    knobs: &[
        &SERVER,
        &MAPPING,
        &ORDER,
        &SERVER_FAULT,
        &EVICTIONS_0,
        &SERVER_BUFFER,
    ],
    properties: &["deadlock", "fork-waits-io", "retry-drops"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let kind = if knobs.get("mapping") == "shared" {
        VmaKind::SharedFile
    } else {
        VmaKind::PrivateFile
    };
    let (buf, served) = if knobs.get("order") == "file-first" {
        (VmaId(1), VmaId(0))
    } else {
        (VmaId(0), VmaId(1))
    };
    let (spec, fault, server, folios) = served_fault(policy, knobs, kind, served, buf)?;
    let mut vmas = vec![super::buffer_vma(knobs)];
    vmas.insert(served.index(), spec);
    let threads = vec![
        fault,
        thread("fork", Role::Fork, fork(&vmas, fork_lock(knobs)))?,
        server,
    ];
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
