//! H3: fork waits for faults' disk I/O, and every other `mmap_lock` user waits for fork.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioStart, Machine, ModelError, Role, VmaId, VmaKind,
};

use super::{EVICTIONS_0, MAPPING, Scenario, file_fault_thread, folio, fork_lock, reclaim, thread};
use crate::actors::{fork, mprotect, vma};
use crate::fault::FaultPolicy;
use crate::knobs::{KnobDef, KnobKind, Knobs};

static FAULTS: KnobDef = KnobDef {
    name: "faults",
    kind: KnobKind::Number { min: 1, max: 3 },
    default: "2",
    help: "faulting threads, each on its own file VMA and page read from a slow disk",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "fork-io",
    title: "H3: fork waits for fault I/O, other mmap_lock users wait for fork",
    summary: "faultN: user reads of file VMAs F0.. (one disk page each); fork: \
              dup_mmap; mprotect: another mmap_lock user, on anonymous VMA E.",
    knobs: &[&FAULTS, &MAPPING, &EVICTIONS_0],
    properties: &["deadlock", "fork-waits-io", "writer-waits-io"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let kind = if knobs.get("mapping") == "shared" {
        VmaKind::SharedFile
    } else {
        VmaKind::PrivateFile
    };
    let k = knobs.number("faults") as u8;
    let mut vmas: Vec<_> = (0..k).map(|i| vma(&format!("F{i}"), kind)).collect();
    vmas.push(vma("E", VmaKind::Anon));
    let e = VmaId(k);
    let folios = (0..k)
        .map(|i| folio(&format!("f{i}"), Backend::Disk, FolioStart::Absent))
        .collect();
    let mut threads = Vec::new();
    for i in 0..k {
        threads.push(file_fault_thread(
            &format!("fault{i}"),
            policy,
            VmaId(i),
            FolioId(i),
        )?);
    }
    threads.push(thread("fork", Role::Fork, fork(&vmas, fork_lock(knobs)))?);
    threads.push(thread("mprotect", Role::Modifier, mprotect(e))?);
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
