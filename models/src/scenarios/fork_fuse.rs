//! H1: fork while a fault waits for a read served by an in-process FUSE server.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioStart, Machine, ModelError, Role, VmaId, VmaKind,
};

use super::{
    EVICTIONS_0, SERVER_FAULT, Scenario, file_fault_thread, folio, fork_lock, reclaim,
    server_origin, thread,
};
use crate::actors::{fork, fuse_server, vma};
use crate::fault::FaultPolicy;
use crate::knobs::{KnobDef, KnobKind, Knobs};

static MAPPING: KnobDef = KnobDef {
    name: "mapping",
    kind: KnobKind::Choice(&["private", "shared"]),
    default: "private",
    help: "file VMA F is MAP_PRIVATE (COW) or MAP_SHARED",
};

static ORDER: KnobDef = KnobDef {
    name: "order",
    kind: KnobKind::Choice(&["buffer-first", "file-first"]),
    default: "buffer-first",
    help: "address order of the server's buffer B and the file VMA F (fork locks in order)",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "fork-fuse",
    title: "H1: fork vs a fault served by an in-process FUSE server",
    summary: "fault: user read of file VMA F on a FUSE mount, folio f not cached; \
              fork: dup_mmap of the process; fuse: the FUSE server thread, whose \
              buffer is anonymous VMA B and faults on every request.",
    knobs: &[&MAPPING, &ORDER, &SERVER_FAULT, &EVICTIONS_0],
    properties: &["deadlock", "fork-waits-io", "retry-drops"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let file_kind = if knobs.get("mapping") == "shared" {
        VmaKind::SharedFile
    } else {
        VmaKind::PrivateFile
    };
    let (vmas, buf, file) = if knobs.get("order") == "file-first" {
        (
            vec![vma("F", file_kind), vma("B", VmaKind::Anon)],
            VmaId(1),
            VmaId(0),
        )
    } else {
        (
            vec![vma("B", VmaKind::Anon), vma("F", file_kind)],
            VmaId(0),
            VmaId(1),
        )
    };
    let threads = vec![
        file_fault_thread("fault", policy, file, FolioId(0))?,
        thread("fork", Role::Fork, fork(&vmas, fork_lock(knobs)))?,
        thread(
            "fuse",
            Role::Server,
            fuse_server(policy, buf, server_origin(knobs)),
        )?,
    ];
    let folios = vec![folio("f", Backend::Fuse, FolioStart::Absent)];
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
