//! H8: munmap and mmap between the fault's drop and its retry.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioStart, Machine, ModelError, Role, VmaId, VmaKind,
};

use super::{EVICTIONS_0, Scenario, file_fault_thread, folio, reclaim, thread};
use crate::actors::{mmap, munmap, vma};
use crate::fault::FaultPolicy;
use crate::knobs::Knobs;

pub(super) const SCENARIO: Scenario = Scenario {
    id: "stale-vma",
    title: "H8: munmap + mmap between the drop for I/O and the retry",
    summary: "fault: user read of private file VMA F, page read from disk; munmap: \
              removes F; mmap: maps a new VMA at F's address (the freed VMA's memory \
              may be reused: SLAB_TYPESAFE_BY_RCU).",
    knobs: &[&EVICTIONS_0],
    properties: &["deadlock", "vma-use", "retry-drops"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let v = VmaId(0);
    let vmas = vec![vma("F", VmaKind::PrivateFile)];
    let threads = vec![
        file_fault_thread("fault", policy, v, FolioId(0))?,
        thread("munmap", Role::Modifier, munmap(v))?,
        thread("mmap", Role::Modifier, mmap(v))?,
    ];
    let folios = vec![folio("f", Backend::Disk, FolioStart::Absent)];
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
