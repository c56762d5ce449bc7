//! The faultline design language (`.fl`): designs and scenarios as kernel-C-flavoured
//! text, compiled to the protocol's instruction set (no new runtime state).
//!
//! A file holds prelude functions (kernel paths named after kernel functions, inlined
//! where called), knobs, `design`s (function overrides of the prelude) and `scenario`s
//! (VMAs, folios, threads, daemons, reclaim, properties, `expect` and `exists`
//! clauses). [`Catalog`] loads files and builds one design x scenario x knob values
//! into a [`faultline_protocol::Machine`].
//!
//! | module | holds |
//! |---|---|
//! | `lexer` | tokens |
//! | `ast` | the syntax tree |
//! | `parser` | recursive descent, tokens to tree |
//! | `ops` | the call vocabulary: one table, kernel name to protocol op |
//! | `compile` | inlining, compile-time folding, labels, scenario declarations |
//! | `lockcheck` | unlocks no path can reach holding the lock |
//! | `knob` | knob declarations |
//! | `catalog` | loaded files, ids, knob resolution, builds |
//! | `listing` | the compiled listing for reviewers |
//! | `query` | `exists` predicates compiled against a machine |
//! | `intern` | sites as `&'static str` |
//! | `read` | reading a user's file: regular, bounded, UTF-8 |
//! | `diag` | spans, diagnostics, did-you-mean, codespan rendering |

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

pub use ast::{Exists, Expect, Expr, Ident};
pub use catalog::{
    BuildError, Built, Catalog, DesignInfo, ExistsClause, ExpectClause, ScenarioInfo,
};
pub use diag::{Diagnostic, FileError, Span, did_you_mean};
pub use intern::intern;
pub use knob::{Knob, KnobKind};
pub use query::{Lock, Query};
pub use read::{MAX_FILE_BYTES, read_text};
