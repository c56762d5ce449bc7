//! H9: a VMA reader that takes `mmap_lock` (the `vmf_anon_prepare` upgrade).

use faultline_protocol::{Admission, Machine, ModelError, ProgramBuilder, Role, VmaId, VmaKind};

use super::{Scenario, reclaim_off, thread};
use crate::actors::{mprotect, vma};
use crate::fault::{FaultPolicy, Origin, anon_fault};
use crate::knobs::{KnobDef, KnobKind, Knobs};

static ANON_PREPARE: KnobDef = KnobDef {
    name: "anon-prepare",
    kind: KnobKind::Choice(&["trylock", "lock"]),
    default: "trylock",
    help: "vmf_anon_prepare under the VMA lock: mmap_read_trylock (today), or the \
           blocking mmap_read_lock a patch that upgrades in place would use",
};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "lock-order",
    title: "H9: a VMA reader blocking on mmap_lock vs a writer in vma_start_write",
    summary: "fault: first write to anonymous VMA A (no anon_vma yet), which needs \
              mmap_lock for __anon_vma_prepare; mprotect: mmap_write_lock and \
              vma_start_write on A.",
    knobs: &[&ANON_PREPARE],
    properties: &["deadlock", "lock-order", "retry-drops"],
    build,
};

fn build(policy: FaultPolicy, knobs: &Knobs, admission: Admission) -> Result<Machine, ModelError> {
    let policy = FaultPolicy {
        anon_prepare_blocks: knobs.get("anon-prepare") == "lock",
        ..policy
    };
    let a = VmaId(0);
    let mut b = ProgramBuilder::new("do_user_addr_fault");
    let exit = b.label();
    anon_fault(&mut b, policy, Origin::User, a, exit);
    b.place(exit).op(faultline_protocol::Op::Exit);
    let threads = vec![
        thread("fault", Role::Fault, b)?,
        thread("mprotect", Role::Modifier, mprotect(a))?,
    ];
    Machine::new(
        threads,
        vec![vma("A", VmaKind::Anon)],
        Vec::new(),
        admission,
        reclaim_off(),
    )
}
