//! faultline's evidence: counterexample traces and wait-for graphs, rendered as plain
//! text (for terminals and email), DOT (for pictures) and JSON (for tools).
//!
//! | module | holds |
//! |---|---|
//! | `trace` | the replayed step trace and its replay token |
//! | `describe` | words for steps and object states |
//! | `wait_for` | the wait-for graph (petgraph) and its cycle |
//! | `text` | the step table and the wait-for chain as text |
//! | `dot` | DOT writing with escaping |
//! | `json` | JSON values |

mod describe;
mod dot;
mod json;
mod text;
mod trace;
mod wait_for;

pub use describe::{actor, changes, function, mmap_text, site, vma_text, wait_text};
pub use dot::{escape, quote, wait_for_dot};
pub use json::{trace_json, wait_for_json};
pub use text::{trace_text, wait_for_text};
pub use trace::{BadToken, Trace};
pub use wait_for::{Edge, Node, WaitForGraph};
