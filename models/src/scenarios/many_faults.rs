//! Scale: N faults over two private file VMAs on disk, plus fork and munmap.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioSpec, Machine, ModelError, ProgramBuilder, VmaId, VmaKind,
};

use super::{EVICTIONS_0, FORK_LOCK, Scenario, fork_lock, reclaim, thread};
use crate::actors::{fork, munmap, vma};
use crate::fault::{FaultPolicy, Origin, file_fault};
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
    knobs: &[&FAULTS, &EVICTIONS_0, &FORK_LOCK],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let vmas = vec![
        vma("F0", VmaKind::PrivateFile),
        vma("F1", VmaKind::PrivateFile),
    ];
    let folios = (0..4)
        .map(|i| FolioSpec {
            name: format!("f{i}"),
            backend: Backend::Disk,
            cached: false,
        })
        .collect();
    let mut threads = Vec::new();
    for i in 0..knobs.number("faults") as u8 {
        let v = i % 2;
        let folio = FolioId(v * 2 + (i / 2) % 2);
        let mut b = ProgramBuilder::new("do_user_addr_fault");
        file_fault(&mut b, policy, Origin::User, VmaId(v), folio);
        threads.push(thread(&format!("fault{i}"), b, false)?);
    }
    threads.push(thread("fork", fork(&vmas, fork_lock(knobs)), false)?);
    threads.push(thread("munmap", munmap(VmaId(1)), false)?);
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
