//! H2: the TRIED pass holds `mmap_read_lock` across a FUSE read while a writer queues.

use faultline_protocol::{Admission, Machine, ModelError, Role, VmaId, VmaKind};

use super::{
    EVICTIONS_1, SERVER, SERVER_BUFFER, SERVER_FAULT, Scenario, reclaim, served_fault, thread,
};
use crate::actors::{mprotect, vma};
use crate::fault::FaultPolicy;
use crate::knobs::{KnobDef, KnobKind, Knobs};

static WRITER_VMA: KnobDef = KnobDef {
    name: "writer-vma",
    kind: KnobKind::Choice(&["other", "same"]),
    default: "other",
    help: "the mprotect writer changes another VMA (E), or the faulting VMA itself (F); \
           kernel-semantics H2 expects D1/D3 to deadlock only in the second case",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "tried-fuse",
    title: "H2: TRIED fault holds mmap_lock across FUSE I/O while a writer queues",
    summary: "fault: user read of private file VMA F on a FUSE mount (or a uffd \
              missing fault on U); reclaim may evict f between the passes; mprotect: \
              an mmap_lock writer on anonymous VMA E (or on F); fuse (uffd): the \
              server, buffer in anonymous VMA B, which it faults on for every request \
              (a fresh page; or, with server-buffer=swapped, a page reclaimed under the \
              same memory pressure and swapped in).",
    knobs: &[
        &WRITER_VMA,
        &SERVER,
        &EVICTIONS_1,
        &SERVER_FAULT,
        &SERVER_BUFFER,
    ],
    properties: &["deadlock", "writer-waits-io", "retry-drops"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let (spec, fault, server, folios) =
        served_fault(policy, knobs, VmaKind::PrivateFile, VmaId(0), VmaId(1))?;
    let vmas = vec![spec, super::buffer_vma(knobs), vma("E", VmaKind::Anon)];
    let writer = if knobs.get("writer-vma") == "same" {
        VmaId(0)
    } else {
        VmaId(2)
    };
    let threads = vec![
        fault,
        thread("mprotect", Role::Modifier, mprotect(writer))?,
        server,
    ];
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
