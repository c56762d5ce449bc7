//! H6: the folio is evicted again after every read, before the retry maps it.

use faultline_protocol::{
    Admission, Backend, FolioId, FolioStart, Machine, ModelError, VmaId, VmaKind,
};

use super::{EVICTIONS_UNBOUNDED, Scenario, file_fault_thread, folio, reclaim};
use crate::actors::vma;
use crate::fault::FaultPolicy;
use crate::knobs::Knobs;

pub(super) const SCENARIO: Scenario = Scenario {
    id: "evict-retry",
    title: "H6: retry livelock when the folio is evicted again",
    summary: "fault: user read of private file VMA F, page read from disk; reclaim may \
              evict the folio whenever it is unlocked and unreferenced (memcg pressure \
              with thousands of threads).",
    knobs: &[&EVICTIONS_UNBOUNDED],
    properties: &["deadlock", "livelock", "starvation", "retry-drops"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let vmas = vec![vma("F", VmaKind::PrivateFile)];
    let threads = vec![file_fault_thread("fault", policy, VmaId(0), FolioId(0))?];
    let folios = vec![folio("f", Backend::Disk, FolioStart::Absent)];
    Machine::new(threads, vmas, folios, admission, reclaim(knobs))
}
