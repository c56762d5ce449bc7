//! The real-kernel harness's Rust half: which model scenario each kernel test mirrors,
//! what the model predicts for it on a kernel (HANG or COMPLETE, the waits of every
//! deadlock it reaches, whether `kill -9` ends it, whether hung_task reports it), what
//! a serial log of the test shows, and whether the two agree.
//!
//! `repro/run` (or `faultline repro`) boots the kernels (QEMU TCG) and asks
//! `faultline-repro judge` for the verdict of each log. Whether `kill -9` ends a
//! deadlock and whether hung_task reports it is `faultline_models::kill`.
//!
//! | module | holds |
//! |---|---|
//! | `builds` | the kernels built from source: patch series -> model design and knobs |
//! | `cases` | the test cases: `fltest` arguments, model scenario and knobs, thread roles |
//! | `predict` | the model's prediction: checker verdict, every deadlock state (`faultline_checker::deadlocks`) with its kernel waits and kill -9 judgement |
//! | `observe` | parsing a serial log: outcome, per-task stacks, sysrq-w, SIGKILL, hung_task |
//! | `judge` | matching a prediction with an observation; the `RESULT` line |
//! | `table` | the README's table of results, from the cases and the predictions |
//! | `error` | typed errors |

mod builds;
mod cases;
mod error;
mod judge;
mod observe;
mod predict;
mod table;

pub use builds::{BUILDS, Build, KNOWN, Known, STOCK, build_of, known};
pub use cases::{BOOTED, CASES, Case, KERNELS, NEWER, case, knob_of};
pub use error::ReproError;
pub use judge::{Judgement, judge};
pub use observe::{Observation, Outcome, Task, observe};
pub use predict::{ModelWait, Prediction, Stuck, predict, predict_for};
pub use table::{BEGIN, END, table};
