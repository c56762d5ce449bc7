//! faultline's designs and scenarios, as thread programs over the protocol's
//! instruction set.
//!
//! A **design** is a fault-path policy ([`FaultPolicy`]): what a page fault that must
//! wait for I/O does with its lock. A **scenario** is a thread mix and VMA layout (a
//! hazard from the mm discussions). [`build`] puts one of each together with knob
//! values into a [`faultline_protocol::Machine`].
//!
//! | module | holds |
//! |---|---|
//! | `fault` | the fault path per design: `do_user_addr_fault`, `filemap_fault`, `do_anonymous_page`, `do_swap_page`, `handle_userfault` |
//! | `actors` | fork (`dup_mmap`), mprotect, munmap, mmap, the FUSE server, the uffd handler, a folio-lock holder |
//! | `designs` | the design catalog |
//! | `scenarios` | the scenario catalog (H1-H10 and scale) and its knobs |
//! | `fuse_paths` | the FUSE paths the real-kernel tests drive: GUP copy, DIO mmap, `/proc` reader, `page_mkwrite` |
//! | `kernel` | the `kernel` knob and each blocking op's kernel wait (function, frames, killable or not) |
//! | `kill` | what `kill -9` of the mm's process does to a deadlock state, and whether hung_task reports it |
//! | `knobs` | knob definitions and validation |
//! | `writers` | other `mmap_lock` writers: `MADV_COLLAPSE`/khugepaged, mlock, madvise, mremap, stack expansion |
//! | `catalog` | lookup by id and `build` |
//! | `error` | typed catalog errors |
//! | `fl` | the catalog as `.fl` text (`models/fl/`), embedded |

mod actors;
mod catalog;
mod designs;
mod error;
mod fault;
mod fl;
mod fuse_paths;
mod kernel;
mod kill;
mod knobs;
mod scenarios;
mod writers;

pub use actors::ForkLock;
pub use catalog::{Model, build, design, global_knobs, knob_defs, scenario};
pub use designs::{DESIGNS, Design};
pub use error::CatalogError;
pub use fault::{FaultPolicy, Origin, Relookup, RetrySites, VmaRetry};
pub use fl::CATALOG_FILES;
pub use kernel::{Kernel, KernelWait, Sleep, wait, wait_at};
pub use kill::{Fate, Kill, ThreadKill, kill};
pub use knobs::{KnobDef, KnobKind, Knobs};
pub use scenarios::{KERNEL_SCENARIOS, SCENARIOS, Scenario};
