//! H7: the folio-lock holder is not short-lived: it waits for journal I/O (or the mm)
//! while a fault waits for its folio and fork waits for the fault.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioStart, Machine, ModelError, Role, VmaId, VmaKind,
};

use super::{EVICTIONS_0, Scenario, file_fault_thread, folio, fork_lock, reclaim, thread};
use crate::actors::{HolderWaits, folio_holder, fork, vma};
use crate::fault::FaultPolicy;
use crate::knobs::{KnobDef, KnobKind, Knobs};

static HOLDER_WAITS: KnobDef = KnobDef {
    name: "holder-waits",
    kind: KnobKind::Choice(&["io", "mmap"]),
    default: "io",
    help: "what the folio-lock holder waits for: journal I/O on another folio, or \
           mmap_read_lock",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "folio-holder",
    title: "H7: a fault waits for a folio whose holder waits for I/O, fork waits for the fault",
    summary: "fault: user fault on shared file VMA S, folio f cached but locked by \
              holder; holder: ->page_mkwrite holding f, waiting for journal folio j (or \
              mmap_lock); fork: dup_mmap.",
    knobs: &[&HOLDER_WAITS, &EVICTIONS_0],
    properties: &["deadlock", "fork-waits-io"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let vmas = vec![vma("S", VmaKind::SharedFile)];
    let f = FolioId(0);
    let waits = if knobs.get("holder-waits") == "mmap" {
        HolderWaits::Mmap
    } else {
        HolderWaits::Io(FolioId(1))
    };
    let threads = vec![
        thread("holder", Role::Holder, folio_holder(f, waits))?,
        file_fault_thread("fault", policy, VmaId(0), f)?,
        thread("fork", Role::Fork, fork(&vmas, fork_lock(knobs)))?,
    ];
    let folios = vec![
        folio("f", Backend::Disk, FolioStart::Cached),
        folio("j", Backend::Disk, FolioStart::Reading),
    ];
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
