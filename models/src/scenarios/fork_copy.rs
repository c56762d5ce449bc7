//! H10: a fault changing a PTE of a VMA while fork copies that VMA's page tables.

use faultline_protocol::{
    Admission, Machine, ModelError, Op, ProgramBuilder, Role, VmaId, VmaKind, VmaSpec,
};

use super::{Scenario, fork_lock, reclaim_off, thread};
use crate::actors::{fork, vma};
use crate::fault::{FaultPolicy, Origin, anon_fault};
use crate::knobs::Knobs;

pub(super) const SCENARIO: Scenario = Scenario {
    id: "fork-copy",
    title: "H10: a fault changes a PTE of a VMA fork is copying (the 6.4 race)",
    summary: "fault: write fault on anonymous VMA A, which already has an anon_vma (so \
              copy_page_range copies its PTEs); fork: dup_mmap.",
    knobs: &[],
    properties: &["deadlock", "fork-copy"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let a = VmaId(0);
    let vmas = vec![VmaSpec {
        anon_vma: true,
        ..vma("A", VmaKind::Anon)
    }];
    let mut b = ProgramBuilder::new("do_user_addr_fault");
    let exit = b.label();
    anon_fault(&mut b, policy, Origin::User, a, exit);
    b.place(exit).op(Op::Exit);
    let threads = vec![
        thread("fault", Role::Fault, b)?,
        thread("fork", Role::Fork, fork(&vmas, fork_lock(knobs)))?,
    ];
    Machine::new(threads, vmas, Vec::new(), admission, reclaim_off())
}
