//! faultline's vocabulary: the Linux mm lock semantics as an interpreter.
//!
//! Designs are data: thread programs in a small instruction set named after kernel
//! functions ([`Op`]). Every engine runs them through the same step function
//! ([`Machine::enabled`], [`Machine::apply`]) over a compact, canonical [`World`].
//!
//! | module | holds |
//! |---|---|
//! | `hazard` | bug patterns the step function records as it runs |
//! | `property_ids` | the ids of the properties a design is checked against |
//! | `ids` | thread, VMA and folio ids; the thread bitset |
//! | `rwsem` | `mmap_lock` as the kernel rwsem (queue, grants, handoff) |
//! | `vma` | VMA kinds and the per-VMA lock |
//! | `folio` | page-cache folios, their lock and read I/O |
//! | `program` | the instruction set and the program builder |
//! | `live_regs` | which registers a thread may still read (dead ones are cleared; not the checker's fair-cycle liveness) |
//! | `world` | the world state and its packed form |
//! | `step` | steps and their replay tokens |
//! | `footprint` | the shared objects each op touches (partial-order reduction) |
//! | `permute` | renaming threads and folios in a world (symmetry reduction) |
//! | `machine` | scenario description, thread status, the step function (`machine/exec`: each op's semantics; `machine/waits`: who a blocked thread waits for) |
//! | `error` | typed model errors |

mod error;
mod folio;
mod footprint;
mod hazard;
mod ids;
mod live_regs;
mod machine;
mod permute;
mod program;
mod property_ids;
mod rwsem;
mod step;
mod vma;
mod world;

pub use error::ModelError;
pub use folio::{Backend, Folio, FolioState};
pub use footprint::{Access, Footprint, Handles};
pub use hazard::Hazard;
pub use ids::{FolioId, MAX_FOLIOS, MAX_THREADS, MAX_VMAS, ThreadSet, Tid, VmaId};
pub use machine::{
    FolioSpec, FolioStart, Machine, Process, Reclaim, Role, Status, ThreadSpec, VmaSpec, WaitOn,
    Waits,
};
pub use permute::Renaming;
pub use program::{Flag, Instr, Label, Op, Program, ProgramBuilder};
pub use property_ids::PROPERTY_IDS;
pub use rwsem::{Acquire, Admission, Mode, RwSem};
pub use step::Step;
pub use vma::{ReadFail, VmaKind, VmaState};
pub use world::{Shape, ThreadState, World};

#[cfg(test)]
mod machine_tests;
