//! The compiler: a scenario's declarations and its threads' code, with the design's
//! functions inlined, to a [`Machine`]. Compile-time `if`s (on knobs, parameters and
//! VMA kinds) fold away; the rest become the protocol's jumps, so no runtime state is
//! added.
//!
//! The passes, each a file that uses only the ones above it, except that `inline` and
//! `emit` are one recursive descent (a call statement inlines its callee, whose body
//! is emitted); this file drives them over a scenario:
//!
//! | pass | does |
//! |---|---|
//! | `labels` | duplicate labels and gotos to missing ones, before anything compiles |
//! | `eval` | compile-time values: knobs, parameters, predicates, arguments, loop bounds |
//! | `declare` | the scenario's VMAs, folios, threads, reclaim and admission |
//! | `lower` | a primitive's operands, and a runtime condition to jumps |
//! | `inline` | overrides, a callee's body inlined, its return codes to the caller's labels |
//! | `emit` | a thread's statements to instructions, then its lock check |

mod declare;
mod emit;
mod eval;
mod inline;
mod labels;
mod lower;

use inline::check_override;
pub(crate) use labels::check_labels;

use std::collections::HashMap;

use faultline_protocol::{
    Admission, FolioSpec, Label, MAX_THREADS, Machine, Op, Process, ProgramBuilder, Reclaim, Role,
    VmaSpec,
};

use crate::ast::{Func, Stmt};
use crate::diag::{Diagnostic, Span};
use crate::intern::intern;
use crate::knob::Knob;
use crate::reporting::{Limit, Message};
use crate::source::{At, Source};

pub(crate) use crate::reporting::CErr;

/// A compile-time value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Val {
    Int(i64),
    Sym(String),
    Vma(u8),
    Folio(u8),
}

impl Val {
    fn truthy(&self) -> bool {
        !matches!(self, Val::Int(0))
    }
    fn text(&self) -> String {
        match self {
            Val::Int(n) => n.to_string(),
            Val::Sym(s) => s.clone(),
            Val::Vma(i) => format!("VMA #{i}"),
            Val::Folio(i) => format!("folio #{i}"),
        }
    }
}

/// Words that are values without a declaration: VMA kinds, backends, folio starts,
/// roles of reclaim.
const WORDS: &[&str] = &[
    "anon",
    "private-file",
    "shared-file",
    "disk",
    "fuse",
    "uffd",
    "absent",
    "cached",
    "reading",
    "unbounded",
    "fair",
    "steal",
    "user",
    "kernel",
    "first-touch",
    "swapped",
];

const MAX_INLINE: usize = 32;
/// Most compile-time predicate calls in one scenario build (`p(x) || p(x)` recursing
/// 32 deep would otherwise take 2^32 calls).
const MAX_PRED_CALLS: u64 = 1_000_000;

/// What `return` does in a frame.
#[derive(Clone, Debug)]
enum Ret {
    /// The thread's own body: `return` exits.
    Thread,
    /// An inlined call: each return code jumps to a caller's label; `None` = code 0.
    Codes(Vec<(Val, Label)>),
}

#[derive(Debug)]
struct LabelInfo {
    /// Made on first use or placement: the builder refuses labels never placed.
    label: Option<Label>,
    placed: bool,
    used: Option<Span>,
}

struct Frame {
    file: usize,
    site: &'static str,
    env: Vec<(String, Val)>,
    labels: HashMap<String, LabelInfo>,
    ret: Ret,
    /// Compile-time predicate calls this frame is nested in (bounded like inlining).
    preds: usize,
}

/// Everything a scenario build can see.
struct Ctx<'a> {
    /// Functions by name, the most specific (scenario, then design chain, then
    /// prelude) first.
    funcs: HashMap<&'a str, (usize, &'a Func)>,
    knobs: Vec<(Knob, Val)>,
    vmas: Vec<(String, VmaSpec)>,
    /// Per VMA, whether it is declared `readonly` (no VM_WRITE; compile-time only).
    readonly: Vec<bool>,
    /// Where each VMA and folio name is declared, for "already declared".
    declared: Vec<(String, (usize, Span))>,
    folios: Vec<(String, FolioSpec)>,
    scen_file: usize,
    /// The site of a thread body's own statements: the scenario, so that threads with
    /// the same body compile to the same program (symmetry reduction needs that).
    scen_site: &'static str,
    /// Compile-time predicate calls made so far ([`MAX_PRED_CALLS`]).
    pred_calls: std::cell::Cell<u64>,
}

/// A thread being emitted.
struct Emit {
    b: ProgramBuilder,
    /// The span and file of each instruction, for the lock checks.
    spans: Vec<(usize, Span)>,
    depth: usize,
}

impl Emit {
    fn op(&mut self, f: &Frame, span: Span, op: Op) {
        self.b.site(f.site).op(op);
        self.spans.push((f.file, span));
    }
}

type R<T> = Result<T, CErr>;

fn err(file: usize, d: impl Into<Diagnostic>) -> CErr {
    CErr::new(file, d)
}

/// The label a caller's `case` list gives `code`. A caller written before
/// `VM_FAULT_RETRY_HARD` existed (msg 081's flag: vmf_can_call_fault,
/// __vmf_anon_prepare, device-private) has only a `VM_FAULT_RETRY_MMAP` case for
/// those sites, and takes it.
fn to_val(s: &str) -> Val {
    s.parse::<i64>()
        .map_or_else(|_| Val::Sym(s.to_string()), Val::Int)
}

/// Builds the machine for a design chain, a scenario and resolved knob values.
pub(crate) fn build(
    files: &[Source],
    chain: &[At],
    sat: At,
    knobs: &[(Knob, String)],
) -> R<Machine> {
    let mut funcs: HashMap<&str, (usize, &Func)> = HashMap::new();
    for (fi, f) in files.iter().enumerate() {
        for func in &f.ast.funcs {
            funcs.insert(func.name.name.as_str(), (fi, func));
        }
    }
    let mut overridden: HashMap<&str, (usize, Span)> = HashMap::new();
    for &c in chain.iter().rev() {
        for func in &files[c.0].ast.designs[c.1].funcs {
            check_override(&funcs, c.0, func)?;
            funcs.insert(func.name.name.as_str(), (c.0, func));
            overridden.insert(func.name.name.as_str(), (c.0, func.name.span));
        }
    }
    let sc = &files[sat.0].ast.scenarios[sat.1];
    for func in &sc.funcs {
        check_override(&funcs, sat.0, func)?;
        if let Some(&(dfile, dspan)) = overridden.get(func.name.name.as_str()) {
            return Err(err(
                sat.0,
                Message::OverriddenTwice {
                    span: func.name.span,
                    name: func.name.name.clone(),
                    design: (dfile, dspan),
                },
            ));
        }
        funcs.insert(func.name.name.as_str(), (sat.0, func));
    }
    let mut ctx = Ctx {
        funcs,
        knobs: knobs.iter().map(|(k, v)| (k.clone(), to_val(v))).collect(),
        vmas: Vec::new(),
        readonly: Vec::new(),
        declared: Vec::new(),
        folios: Vec::new(),
        scen_file: sat.0,
        scen_site: intern(&sc.name.name),
        pred_calls: std::cell::Cell::new(0),
    };
    let mut decl = Decl {
        threads: Vec::new(),
        reclaim: None,
        admission: None,
    };
    let top = Frame {
        file: sat.0,
        site: intern(&sc.name.name),
        env: Vec::new(),
        labels: HashMap::new(),
        ret: Ret::Thread,
        preds: 0,
    };
    ctx.declare(&sc.body, &top, &mut decl)?;
    let admission = match decl.admission {
        Some(a) => a,
        None => {
            let mut a = Admission::Fair;
            for (fi, f) in files.iter().enumerate() {
                if let Some(e) = &f.ast.admission {
                    let fr = Frame {
                        file: fi,
                        ..top_frame(&top)
                    };
                    a = ctx.admission(e, &fr)?;
                }
            }
            a
        }
    };
    let mut threads = Vec::new();
    for t in &decl.threads {
        if threads.len() == MAX_THREADS {
            return Err(err(
                sat.0,
                Message::TooMany {
                    span: t.span,
                    what: Limit::Threads,
                },
            ));
        }
        threads.push(ctx.thread(t)?);
    }
    let vmas = ctx.vmas.into_iter().map(|(_, v)| v).collect();
    let folios = ctx.folios.into_iter().map(|(_, f)| f).collect();
    Machine::new(
        threads,
        vmas,
        folios,
        admission,
        decl.reclaim.unwrap_or(Reclaim::Bounded(0)),
    )
    .map_err(|e| {
        err(
            sat.0,
            Message::ScenarioDoesNotBuild {
                span: sc.name.span,
                error: e.to_string(),
            },
        )
    })
}

fn top_frame(f: &Frame) -> Frame {
    Frame {
        file: f.file,
        site: f.site,
        env: f.env.clone(),
        labels: HashMap::new(),
        ret: Ret::Thread,
        preds: f.preds,
    }
}

struct ThreadDecl<'a> {
    role: Role,
    process: Process,
    name: String,
    body: &'a [Stmt],
    env: Vec<(String, Val)>,
    span: Span,
}

struct Decl<'a> {
    threads: Vec<ThreadDecl<'a>>,
    reclaim: Option<Reclaim>,
    admission: Option<Admission>,
}

impl Emit {
    fn b_len(&self) -> usize {
        self.spans.len()
    }
}

fn stmt_span(s: &Stmt) -> Span {
    match s {
        Stmt::Call(e) | Stmt::Vma(_, e, _) | Stmt::Folio(_, e, _) => e.span(),
        Stmt::If(_, _, _, s)
        | Stmt::Return(_, s)
        | Stmt::Switch(_, _, s)
        | Stmt::Reclaim(_, s)
        | Stmt::Admission(_, s) => *s,
        Stmt::Block(v) => v.first().map(stmt_span).unwrap_or_default(),
        Stmt::Goto(l)
        | Stmt::Label(l)
        | Stmt::For(l, ..)
        | Stmt::ForEachVma(l, _)
        | Stmt::Flag { flag: l, .. }
        | Stmt::Thread(l, ..) => l.span,
    }
}
