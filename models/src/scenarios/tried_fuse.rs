//! H2: the TRIED pass holds `mmap_read_lock` across a FUSE read while a writer queues.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioSpec, Machine, ModelError, ProgramBuilder, VmaId, VmaKind,
};

use super::{EVICTIONS_1, SERVER_FAULT, Scenario, reclaim, server_origin, thread};
use crate::actors::{fuse_server, mprotect, vma};
use crate::fault::{FaultPolicy, Origin, file_fault};
use crate::knobs::Knobs;

pub(super) const SCENARIO: Scenario = Scenario {
    id: "tried-fuse",
    title: "H2: TRIED fault holds mmap_lock across FUSE I/O while a writer queues",
    summary: "fault: user read of private file VMA F on a FUSE mount; reclaim may evict \
              f between the passes; mprotect: an mmap_lock writer on anonymous VMA E; \
              fuse: the FUSE server, buffer in anonymous VMA B.",
    knobs: &[&EVICTIONS_1, &SERVER_FAULT],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let vmas = vec![
        vma("F", VmaKind::PrivateFile),
        vma("B", VmaKind::Anon),
        vma("E", VmaKind::Anon),
    ];
    let mut fault = ProgramBuilder::new("do_user_addr_fault");
    file_fault(&mut fault, policy, Origin::User, VmaId(0), FolioId(0));
    let threads = vec![
        thread("fault", fault, false)?,
        thread("mprotect", mprotect(VmaId(2)), false)?,
        thread("fuse", fuse_server(VmaId(1), server_origin(knobs)), true)?,
    ];
    let folios = vec![FolioSpec {
        name: "f".into(),
        backend: Backend::Fuse,
        cached: false,
    }];
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
