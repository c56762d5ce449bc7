//! faultline's machines as Promela, for SPIN: an independent check of the semantics.
//!
//! [`export`] writes a compiled [`faultline_protocol::Machine`] as a Promela model whose
//! reachable states are faultline's, one for one: SPIN (`-DNOREDUCE`) stores as many
//! states as `faultline check --reduce none`, and reports an invalid end state exactly
//! where faultline finds a deadlock. [`pan`] runs SPIN, the C compiler and the verifier.
//!
//! | module | holds |
//! |---|---|
//! | `emit` | the model text: globals, inlines, one process per thread, the actors |
//! | `ops` | each op's guards and effects, following `machine/exec.rs` |
//! | `settle` | the local ops after each step, worked out at export time |
//! | `pan` | running `spin -a`, `gcc` and `./pan`; reading its report |
//! | `error` | typed errors |

mod emit;
mod error;
mod ops;
pub mod pan;
mod settle;

pub use emit::export;
pub use error::{ExportError, SpinError};
