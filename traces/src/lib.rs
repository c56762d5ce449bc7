//! faultline's evidence: counterexample traces, trace graphs, wait-for graphs and
//! lassos, rendered as plain text (for terminals and email), DOT (for pictures), JSON
//! (for tools) and HTML pieces (for the report).
//!
//! | module | holds |
//! |---|---|
//! | `trace` | the replayed step trace and its replay token |
//! | `lasso` | liveness evidence: a prefix and a cycle, replayed, and its token |
//! | `describe` | words for steps and object states |
//! | `lanes` | lanes: one per thread, one per environment actor |
//! | `causal` | causal edges from world diffs: release, submit, conflict |
//! | `trace_graph` | the trace graph (petgraph): steps, program order, causes |
//! | `wait_for` | the wait-for graph (petgraph), its cycle and chains of waits |
//! | `text` | the step table and the wait-for chain as text |
//! | `lane_text` | the 80-column lane view, lasso view and causes as text |
//! | `dot` | DOT escaping and the wait-for graph as DOT |
//! | `trace_dot` | the trace graph and the lasso as DOT |
//! | `splat` | a violation as a lockdep-style report, 80 columns |
//! | `json` | JSON values |
//! | `html` | inline SVG for the HTML report |
//! | `kernel` | the `kernel` knob and each blocking op's kernel wait (function, frames, killable or not) |
//! | `kill_text` | the kill -9 / hung_task judgement as text and JSON |
//! | `token` | replay tokens `STEPS@HASH` and the model hash that refuses a token on another model |
//! | `kill` | what `kill -9` of the mm's process does to a deadlock state, and whether hung_task reports it |

mod causal;
mod describe;
mod dot;
mod html;
mod json;
mod kernel;
mod kill;
mod kill_text;
mod lane_text;
mod lanes;
mod lasso;
mod splat;
mod text;
mod token;
mod trace;
mod trace_dot;
mod trace_graph;
mod wait_for;

pub use causal::Cause;
pub use describe::{actor, changes, function, mmap_text, site, vma_text, wait_text};
pub use dot::{escape, quote, wait_for_dot};
pub use html::svg_element;
pub use json::{trace_json, wait_for_json};
pub use kernel::{Kernel, KernelWait, Sleep, unclassified, wait, wait_at};
pub use kill::{Fate, Kill, ThreadKill, kill};
pub use kill_text::{KillReport, fate_word};
pub use lane_text::{causes_text, lane_text, lasso_text};
pub use lanes::Lane;
pub use lasso::{Lasso, LassoError};
pub use splat::{SplatHead, splat};
pub use text::{trace_text, wait_for_text};
pub use token::{Token, TokenError, model_hash};
pub use trace::{BadToken, Trace};
pub use trace_dot::{lasso_dot, trace_graph_dot};
pub use trace_graph::{StepNode, TraceEdge, TraceGraph};
pub use wait_for::{Chain, ChainEnd, Edge, Node, WaitForGraph};
