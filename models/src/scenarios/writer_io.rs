//! H4: a high-priority writer (mprotect or munmap) on the VMA a low-priority fault is
//! reading into.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioStart, Machine, ModelError, ProgramBuilder, Role, VmaId,
    VmaKind, VmaSpec,
};

use super::{EVICTIONS_0, Scenario, file_fault_thread, folio, reclaim, thread};
use crate::actors::{mprotect, munmap, vma};
use crate::fault::{FaultPolicy, Origin, swap_fault};
use crate::knobs::{KnobDef, KnobKind, Knobs};

static PAGE: KnobDef = KnobDef {
    name: "page",
    kind: KnobKind::Choice(&["file", "swap", "zram"]),
    default: "file",
    help: "the fault reads a file page (filemap_fault), swaps in an anonymous page \
           (do_swap_page submits the read under the fault lock and drops it to wait), \
           or swaps in from a synchronous device (zram: the read completes under the \
           fault lock)",
};

static WRITER: KnobDef = KnobDef {
    name: "writer",
    kind: KnobKind::Choice(&["mprotect", "munmap"]),
    default: "mprotect",
    help: "what the high-priority thread does to the same VMA",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "writer-io",
    title: "H4: high-priority mprotect/munmap vs a low-priority fault's I/O",
    summary: "low: a user fault on V whose page must be read from a slow disk; high: \
              mprotect or munmap of V.",
    knobs: &[&PAGE, &WRITER, &EVICTIONS_0],
    properties: &["deadlock", "writer-waits-io", "vma-use"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let v = VmaId(0);
    let f = FolioId(0);
    let page = knobs.get("page");
    let (vmas, low) = if page != "file" {
        // A swapped-out page: the VMA has had anonymous pages, so it has an anon_vma.
        let spec = VmaSpec {
            anon_vma: true,
            ..vma("V", VmaKind::Anon)
        };
        let mut b = ProgramBuilder::new("do_user_addr_fault");
        swap_fault(&mut b, policy, Origin::User, v, f, page == "zram");
        (vec![spec], thread("low", Role::Fault, b)?)
    } else {
        (
            vec![vma("V", VmaKind::PrivateFile)],
            file_fault_thread("low", policy, v, f)?,
        )
    };
    let high = if knobs.get("writer") == "munmap" {
        munmap(v)
    } else {
        mprotect(v)
    };
    let threads = vec![low, thread("high", Role::Modifier, high)?];
    let folios = vec![folio("p", Backend::Disk, FolioStart::Absent)];
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
