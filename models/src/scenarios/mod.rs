//! The hazard scenarios: thread mixes and VMA layouts.

mod evict_retry;
mod folio_holder;
mod fork_copy;
mod fork_fuse;
mod fork_io;
mod kernel_h2;
mod kernel_wb;
mod lock_order;
mod many_faults;
mod stale_vma;
mod tried_fuse;
mod writer_io;

use faultline_protocol::{
    Admission, Machine, ModelError, ProgramBuilder, Reclaim, Role, ThreadSpec,
};

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
    /// Ids of the properties the matrix checks here (the hazards this scenario is
    /// built to show, plus `deadlock` everywhere).
    pub properties: &'static [&'static str],
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
    fork_io::SCENARIO,
    writer_io::SCENARIO,
    evict_retry::SCENARIO,
    folio_holder::SCENARIO,
    stale_vma::SCENARIO,
    lock_order::SCENARIO,
    fork_copy::SCENARIO,
    many_faults::SCENARIO,
];

/// The scenarios that mirror the real-kernel tests in `repro/` step by step, with a
/// `kernel` knob: checked by `faultline check` and the repro harness, not in the
/// design matrix (they pin a kernel, not a design question).
pub static KERNEL_SCENARIOS: &[Scenario] = &[kernel_h2::SCENARIO, kernel_wb::SCENARIO];

/// `admission=fair|steal`: how `mmap_lock` admits new lockers while others wait.
pub(crate) static ADMISSION: KnobDef = KnobDef {
    name: "admission",
    kind: KnobKind::Choice(&["fair", "steal"]),
    default: "fair",
    help: "mmap_lock rwsem admission: fair = FIFO, any waiter blocks new lockers; \
           steal = a free lock may be taken past sleepers until RWSEM_FLAG_HANDOFF",
};

/// `fork-lock=all|anon-cow|anon-vma|none`: every design's fork policy.
pub(crate) static FORK_LOCK: KnobDef = KnobDef {
    name: "fork-lock",
    kind: KnobKind::Choice(&["all", "anon-cow", "anon-vma", "none"]),
    default: "all",
    help: "which parent VMAs dup_mmap write-locks: all (today), anonymous and COW ones \
           (May 2026 proposal), those with an anon_vma, or none (6.4 before fb49c455323f)",
};

static SERVER_FAULT: KnobDef = KnobDef {
    name: "server-fault",
    kind: KnobKind::Choice(&["kernel", "user"]),
    default: "kernel",
    help: "how the server's access to its buffer faults: kernel = from the kernel, \
           straight to mmap_read_lock, never a VMA lock: the /dev/fuse copy itself \
           (fuse_copy_fill pins the buffer with GUP, whose slow path takes \
           mmap_read_lock; seen on 6.1 and 6.12) or a copy_to_user #PF (mainline x86, \
           arm64); user = the server touches the buffer itself first, a user-mode \
           fault that tries the VMA lock (linux-mm x86 sends kernel #PFs this way too)",
};

/// `server-buffer=first-touch|swapped`: what the server's buffer fault is.
static SERVER_BUFFER: KnobDef = KnobDef {
    name: "server-buffer",
    kind: KnobKind::Choice(&["first-touch", "swapped"]),
    default: "first-touch",
    help: "first-touch = each request writes a never-touched page of B \
           (do_anonymous_page); swapped = B's page was reclaimed and swapped out: \
           do_swap_page, whose swap read under the VMA lock ends in RETRY|MAJOR and a \
           TRIED retry under mmap_read_lock",
};

/// `mapping=private|shared`: how the scenario's file VMAs are mapped.
pub(crate) static MAPPING: KnobDef = KnobDef {
    name: "mapping",
    kind: KnobKind::Choice(&["private", "shared"]),
    default: "private",
    help: "the file (or uffd) VMAs are MAP_PRIVATE (COW) or MAP_SHARED",
};

/// `server=fuse|uffd`: who completes the faulting thread's page.
pub(crate) static SERVER: KnobDef = KnobDef {
    name: "server",
    kind: KnobKind::Choice(&["fuse", "uffd"]),
    default: "fuse",
    help: "the in-process server: a FUSE daemon reading file VMA F, or a userfaultfd \
           handler filling uffd-registered VMA U (anonymous, or shmem when \
           mapping=shared)",
};

/// The faulting thread, its VMA (named and kinded for the server) and its page, for
/// `server=fuse|uffd`.
fn served_fault(
    policy: FaultPolicy,
    knobs: &Knobs,
    kind_if_fuse: faultline_protocol::VmaKind,
    vma: faultline_protocol::VmaId,
    buffer: faultline_protocol::VmaId,
) -> Result<
    (
        faultline_protocol::VmaSpec,
        ThreadSpec,
        ThreadSpec,
        Vec<faultline_protocol::FolioSpec>,
    ),
    ModelError,
> {
    use faultline_protocol::{Backend, FolioId, FolioStart, VmaKind};
    let page = FolioId(0);
    let origin = server_origin(knobs);
    let swapped = swapped_buffer(knobs);
    if knobs.get("server") == "uffd" {
        let kind = if kind_if_fuse == VmaKind::SharedFile {
            VmaKind::SharedFile
        } else {
            VmaKind::Anon
        };
        let mut b = ProgramBuilder::new("do_user_addr_fault");
        crate::fault::uffd_fault(&mut b, policy, Origin::User, vma, page);
        Ok((
            crate::actors::vma("U", kind),
            thread("fault", Role::Fault, b)?,
            thread(
                "uffd",
                Role::Server,
                crate::actors::uffd_server(
                    policy,
                    buffer,
                    origin,
                    vma,
                    kind == VmaKind::SharedFile,
                    swapped,
                ),
            )?,
            vec![folio("u", Backend::Uffd, FolioStart::Absent)],
        ))
    } else {
        Ok((
            crate::actors::vma("F", kind_if_fuse),
            file_fault_thread("fault", policy, vma, page)?,
            thread(
                "fuse",
                Role::Server,
                crate::actors::fuse_server(policy, buffer, origin, swapped),
            )?,
            vec![folio("f", Backend::Fuse, FolioStart::Absent)],
        ))
    }
}

/// `server-buffer=swapped`: the buffer was touched before, so it has an `anon_vma`.
pub(crate) fn swapped_buffer(knobs: &Knobs) -> bool {
    knobs.get("server-buffer") == "swapped"
}

/// The server's buffer VMA `B`.
pub(crate) fn buffer_vma(knobs: &Knobs) -> faultline_protocol::VmaSpec {
    faultline_protocol::VmaSpec {
        anon_vma: swapped_buffer(knobs),
        ..crate::actors::vma("B", faultline_protocol::VmaKind::Anon)
    }
}

/// `evictions=0..4|unbounded` with a scenario's own default.
const fn evictions(default: &'static str) -> KnobDef {
    KnobDef {
        name: "evictions",
        kind: KnobKind::Choice(&["0", "1", "2", "3", "4", "unbounded"]),
        default,
        help: "how many times reclaim may evict an unlocked, unreferenced, uptodate \
               folio (unbounded: reclaim is not a fair actor, it may always strike)",
    }
}

/// Reclaim on by default (one eviction).
static EVICTIONS_1: KnobDef = evictions("1");
/// Reclaim off by default.
static EVICTIONS_0: KnobDef = evictions("0");
/// Reclaim may strike any number of times.
static EVICTIONS_UNBOUNDED: KnobDef = evictions("unbounded");

pub(crate) fn admission(knobs: &Knobs) -> Admission {
    if knobs.get("admission") == "steal" {
        Admission::Steal
    } else {
        Admission::Fair
    }
}

/// The `evictions` knob as a reclaim bound.
fn reclaim(knobs: &Knobs) -> Reclaim {
    match knobs.get("evictions") {
        "unbounded" => Reclaim::Unbounded,
        _ => Reclaim::Bounded(knobs.number("evictions") as u8),
    }
}

fn fork_lock(knobs: &Knobs) -> ForkLock {
    ForkLock::parse(knobs.get("fork-lock")).unwrap_or(ForkLock::All)
}

fn server_origin(knobs: &Knobs) -> Origin {
    if knobs.get("server-fault") == "user" {
        Origin::User
    } else {
        Origin::Kernel
    }
}

/// A thread named `name` running the program `b` builds.
fn thread(name: &str, role: Role, b: ProgramBuilder) -> Result<ThreadSpec, ModelError> {
    Ok(ThreadSpec {
        name: name.to_string(),
        program: b.build()?,
        role,
        process: Default::default(),
    })
}

/// A fault thread on a file page.
fn file_fault_thread(
    name: &str,
    policy: FaultPolicy,
    vma: faultline_protocol::VmaId,
    folio: faultline_protocol::FolioId,
) -> Result<ThreadSpec, ModelError> {
    let mut b = ProgramBuilder::new("do_user_addr_fault");
    crate::fault::file_fault(&mut b, policy, Origin::User, vma, folio);
    thread(name, Role::Fault, b)
}

/// A folio spec.
fn folio(
    name: &str,
    backend: faultline_protocol::Backend,
    start: faultline_protocol::FolioStart,
) -> faultline_protocol::FolioSpec {
    faultline_protocol::FolioSpec {
        name: name.into(),
        backend,
        start,
    }
}

/// No reclaim (scenarios without folios).
fn reclaim_off() -> Reclaim {
    Reclaim::Bounded(0)
}
