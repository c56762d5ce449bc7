//! The faultline design language (`.fl`): designs and scenarios as kernel-C-flavoured
//! text, compiled to the protocol's instruction set (no new runtime state).
//!
//! A file holds prelude functions (kernel paths named after kernel functions, inlined
//! where called), knobs, `design`s (function overrides of the prelude) and `scenario`s
//! (VMAs, folios, threads, daemons, reclaim, properties, `expect` and `exists`
//! clauses). [`Compiler`] loads files and builds one design x scenario x knob values
//! into a [`faultline_protocol::Machine`].
//!
//! The modules in pipeline order; each uses only the ones above it.
//!
//! | module | holds |
//! |---|---|
//! | `read` | reading a user's file: regular, bounded, UTF-8 |
//! | `diag` | spans, diagnostics, did-you-mean, codespan rendering |
//! | `reporting` | what the compiler and catalog refuse, typed, and its wording |
//! | `lexer` | tokens |
//! | `ast` | the syntax tree |
//! | `parser` | recursive descent, tokens to tree |
//! | `source` | a loaded file and the address of its items |
//! | `intern` | sites as `&'static str` |
//! | `ops` | the call vocabulary: one table, kernel name to protocol op |
//! | `knob` | knob declarations |
//! | `lockcheck` | unlocks no path can reach holding the lock (run by `emit` per thread) |
//! | `compile` | the passes, in order: `labels`, `eval`, `declare`, `lower`, `inline` and `emit` |
//! | `query` | `exists` predicates compiled against a machine |
//! | `listing` | the compiled listing for reviewers |
//! | `catalog` | loaded files and ids: `resolve` (design chain, knobs, build), `clauses`, `load` |

mod ast;
mod catalog;
mod compile;
mod diag;
mod intern;
mod knob;
mod lexer;
mod listing;
mod lockcheck;
mod ops;
mod parser;
mod query;
mod read;
mod reporting;
mod source;

pub use ast::{Exists, Expect, Expr, Ident};
pub use catalog::{
    BuildError, Built, Compiler, DesignInfo, ExistsClause, ExpectClause, ScenarioInfo,
};
pub use diag::{Diagnostic, FileError, Span, did_you_mean};
pub use intern::intern;
pub use knob::{Knob, KnobKind};
pub use query::{Lock, Query};
pub use read::{MAX_FILE_BYTES, read_text};
