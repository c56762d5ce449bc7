//! H2: the TRIED pass holds `mmap_read_lock` across a FUSE read while a writer queues.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioStart, Machine, ModelError, Role, VmaId, VmaKind,
};

use super::{
    EVICTIONS_1, SERVER_FAULT, Scenario, file_fault_thread, folio, reclaim, server_origin, thread,
};
use crate::actors::{fuse_server, mprotect, vma};
use crate::fault::FaultPolicy;
use crate::knobs::Knobs;

pub(super) const SCENARIO: Scenario = Scenario {
    id: "tried-fuse",
    title: "H2: TRIED fault holds mmap_lock across FUSE I/O while a writer queues",
    summary: "fault: user read of private file VMA F on a FUSE mount; reclaim may evict \
              f between the passes; mprotect: an mmap_lock writer on anonymous VMA E; \
              fuse: the FUSE server, buffer in anonymous VMA B.",
    knobs: &[&EVICTIONS_1, &SERVER_FAULT],
    properties: &["deadlock", "writer-waits-io", "retry-drops"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let vmas = vec![
        vma("F", VmaKind::PrivateFile),
        vma("B", VmaKind::Anon),
        vma("E", VmaKind::Anon),
    ];
    let threads = vec![
        file_fault_thread("fault", policy, VmaId(0), FolioId(0))?,
        thread("mprotect", Role::Modifier, mprotect(VmaId(2)))?,
        thread(
            "fuse",
            Role::Server,
            fuse_server(policy, VmaId(1), server_origin(knobs)),
        )?,
    ];
    let folios = vec![folio("f", Backend::Fuse, FolioStart::Absent)];
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
