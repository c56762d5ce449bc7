//! faultline's catalog: the built-in designs and scenarios, written in the design
//! language (`models/fl/*.fl`, embedded) and compiled by `faultline-lang` into
//! [`faultline_protocol::Machine`]s.
//!
//! A **design** overrides functions of the upstream prelude (what a page fault that
//! must wait for I/O does with its lock); a **scenario** declares VMAs, folios and
//! threads (a hazard from the mm discussions). [`Catalog::build`] puts one of each
//! together with knob values; [`Catalog::with_files`] adds a user's `.fl` files.
//!
//! | module | holds |
//! |---|---|
//! | `fl` | the catalog's `.fl` text, embedded, in load order |
//! | `catalog` | [`Catalog`]: the compiled files, lookup by id, `build`; the built-in one |
//! | `info` | what a design, scenario and knob are, as the catalog describes them |
//! | `kernel` | the `kernel` knob and each blocking op's kernel wait (function, frames, killable or not) |
//! | `kill` | what `kill -9` of the mm's process does to a deadlock state, and whether hung_task reports it |
//! | `error` | typed catalog errors |

mod catalog;
mod error;
mod fl;
mod info;

pub use catalog::{
    Catalog, DESIGNS, Designs, KERNEL_SCENARIOS, Model, SCENARIOS, Scenarios, build, design,
    global_knobs, knob_defs, scenario,
};
pub use error::CatalogError;
pub use faultline_lang::KnobKind;
pub use fl::CATALOG_FILES;
pub use info::{Design, KnobDef, Knobs, Scenario};
// Kernel waits and kill -9 moved to `faultline_traces` (evidence uses them); kept
// here so existing `faultline_models::kill` users still build.
pub use faultline_traces::{
    Fate, Kernel, KernelWait, Kill, Sleep, ThreadKill, kill, unclassified, wait, wait_at,
};
