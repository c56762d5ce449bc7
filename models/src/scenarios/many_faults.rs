//! Scale: N faults over two private file VMAs on disk, plus fork and munmap.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioStart, Machine, ModelError, Role, VmaId, VmaKind,
};

use super::{EVICTIONS_0, Scenario, file_fault_thread, folio, fork_lock, reclaim, thread};
use crate::actors::{fork, munmap, vma};
use crate::fault::FaultPolicy;
use crate::knobs::{KnobDef, KnobKind, Knobs};

static FAULTS: KnobDef = KnobDef {
    name: "faults",
    kind: KnobKind::Number { min: 1, max: 8 },
    default: "3",
    help: "number of faulting threads (thread i faults VMA i mod 2, page (i/2) mod 2)",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "many-faults",
    title: "scale: N faults on two file VMAs, fork and munmap",
    summary: "faults: user reads of private file VMAs F0 and F1 (two pages each, read \
              from disk); fork: dup_mmap; munmap: unmaps F1.",
    knobs: &[&FAULTS, &EVICTIONS_0],
    properties: &["deadlock", "fork-waits-io", "writer-waits-io", "vma-use"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let vmas = vec![
        vma("F0", VmaKind::PrivateFile),
        vma("F1", VmaKind::PrivateFile),
    ];
    let folios = (0..4)
        .map(|i| folio(&format!("f{i}"), Backend::Disk, FolioStart::Absent))
        .collect();
    let mut threads = Vec::new();
    for i in 0..knobs.number("faults") as u8 {
        let v = i % 2;
        let f = FolioId(v * 2 + (i / 2) % 2);
        threads.push(file_fault_thread(
            &format!("fault{i}"),
            policy,
            VmaId(v),
            f,
        )?);
    }
    threads.push(thread("fork", Role::Fork, fork(&vmas, fork_lock(knobs)))?);
    threads.push(thread("munmap", Role::Modifier, munmap(VmaId(1)))?);
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
