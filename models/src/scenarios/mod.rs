//! The hazard scenarios: thread mixes and VMA layouts.

mod fork_fuse;
mod many_faults;
mod tried_fuse;

use faultline_protocol::{Admission, Machine, ModelError, ProgramBuilder, Reclaim, ThreadSpec};

use crate::actors::ForkLock;
use crate::fault::{FaultPolicy, Origin};
use crate::knobs::{KnobDef, KnobKind, Knobs};

/// A scenario in the catalog.
#[derive(Debug)]
pub struct Scenario {
    /// Stable id (`fork-fuse`).
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// The threads and what can go wrong.
    pub summary: &'static str,
    /// Knobs of this scenario (besides the global ones).
    pub knobs: &'static [&'static KnobDef],
    build: fn(FaultPolicy, &Knobs, Admission) -> Result<Machine, ModelError>,
}

impl Scenario {
    /// Builds the machine for a design's policy and resolved knobs.
    pub fn build(
        &self,
        policy: FaultPolicy,
        knobs: &Knobs,
        admission: Admission,
    ) -> Result<Machine, ModelError> {
        (self.build)(policy, knobs, admission)
    }
}

/// Every scenario, in catalog order.
pub static SCENARIOS: &[Scenario] = &[
    fork_fuse::SCENARIO,
    tried_fuse::SCENARIO,
    many_faults::SCENARIO,
];

/// `admission=fair|steal`: how `mmap_lock` admits new lockers while others wait.
pub(crate) static ADMISSION: KnobDef = KnobDef {
    name: "admission",
    kind: KnobKind::Choice(&["fair", "steal"]),
    default: "fair",
    help: "mmap_lock rwsem admission: fair = FIFO, any waiter blocks new lockers; \
           steal = a free lock may be taken past sleepers until RWSEM_FLAG_HANDOFF",
};

static FORK_LOCK: KnobDef = KnobDef {
    name: "fork-lock",
    kind: KnobKind::Choice(&["all", "anon-cow"]),
    default: "all",
    help: "which parent VMAs dup_mmap write-locks: all (today), or only anonymous and \
           COW ones (May 2026 proposal)",
};

static SERVER_FAULT: KnobDef = KnobDef {
    name: "server-fault",
    kind: KnobKind::Choice(&["kernel", "user"]),
    default: "kernel",
    help: "the FUSE server's copy_to_user fault: kernel = straight to mmap_read_lock \
           (mainline x86, arm64); user = tries the VMA lock first (linux-mm x86)",
};

/// `evictions=0..4` with a scenario's own default.
const fn evictions(default: &'static str) -> KnobDef {
    KnobDef {
        name: "evictions",
        kind: KnobKind::Number { min: 0, max: 4 },
        default,
        help: "how many times reclaim may evict an unlocked, unreferenced, uptodate folio",
    }
}

/// Reclaim on by default (one eviction).
static EVICTIONS_1: KnobDef = evictions("1");
/// Reclaim off by default.
static EVICTIONS_0: KnobDef = evictions("0");

pub(crate) fn admission(knobs: &Knobs) -> Admission {
    if knobs.get("admission") == "steal" {
        Admission::Steal
    } else {
        Admission::Fair
    }
}

/// The `evictions` knob as a reclaim bound.
fn reclaim(knobs: &Knobs) -> Reclaim {
    Reclaim::Bounded(knobs.number("evictions") as u8)
}

fn fork_lock(knobs: &Knobs) -> ForkLock {
    if knobs.get("fork-lock") == "anon-cow" {
        ForkLock::AnonCow
    } else {
        ForkLock::All
    }
}

fn server_origin(knobs: &Knobs) -> Origin {
    if knobs.get("server-fault") == "user" {
        Origin::User
    } else {
        Origin::Kernel
    }
}

/// A thread named `name` running the program `b` builds.
fn thread(name: &str, b: ProgramBuilder, daemon: bool) -> Result<ThreadSpec, ModelError> {
    Ok(ThreadSpec {
        name: name.to_string(),
        program: b.build()?,
        daemon,
    })
}
