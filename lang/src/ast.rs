//! The syntax tree of a `.fl` file. Every node that can be wrong carries its span.

use crate::diag::Span;

/// A name and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The text.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// A whole file.
#[derive(Clone, Debug, Default)]
pub(crate) struct File {
    /// Knobs every design and scenario has.
    pub knobs: Vec<KnobDecl>,
    /// Prelude functions (the kernel paths designs override).
    pub funcs: Vec<Func>,
    /// `admission EXPR;` at top level: the default `mmap_lock` admission.
    pub admission: Option<Expr>,
    /// Designs.
    pub designs: Vec<Design>,
    /// Scenarios.
    pub scenarios: Vec<Scenario>,
}

/// `knob NAME { a, b } = a "help";` or `knob NAME [0..3] = 1 "help";`
#[derive(Clone, Debug)]
pub(crate) struct KnobDecl {
    /// Its name.
    pub name: Ident,
    /// The words it accepts, or an integer range.
    pub values: KnobValues,
    /// Its default.
    pub default: Ident,
    /// One line of help.
    pub help: String,
    /// `source VALUE "where it comes from"` after the help: per value.
    pub sources: Vec<(Ident, String)>,
}

/// The values a knob accepts.
#[derive(Clone, Debug)]
pub(crate) enum KnobValues {
    /// One of these words (or numbers, spelled as words).
    Choice(Vec<Ident>),
    /// An integer in `lo..=hi`.
    Range(i64, i64),
}

/// A function: a kernel path, inlined where it is called.
#[derive(Clone, Debug)]
pub(crate) struct Func {
    /// `void`, `vm_fault_t` or `bool` (a compile-time predicate).
    pub ret: Ident,
    /// Its name (the site of the instructions it emits).
    pub name: Ident,
    /// Parameter names (types, if written, are documentation).
    pub params: Vec<Ident>,
    /// Its statements.
    pub body: Vec<Stmt>,
}

/// `design NAME [extends PARENT(k = v, ...)] { ... }`
#[derive(Clone, Debug)]
pub(crate) struct Design {
    /// Its id.
    pub name: Ident,
    /// The design it refines, with the parent's knobs it fixes.
    pub parent: Option<(Ident, Vec<(Ident, Ident)>)>,
    /// One-line title.
    pub title: String,
    /// What it changes.
    pub summary: String,
    /// `source "...";`: the messages (lore Message-ID, author, date) or kernel code it
    /// models, one clause each.
    pub source: Vec<String>,
    /// Its knobs.
    pub knobs: Vec<KnobDecl>,
    /// Its function overrides.
    pub funcs: Vec<Func>,
    /// `expect SCENARIOS [with ...]: props;` (the clause's `designs` are scenarios).
    pub expects: Vec<Expect>,
}

/// `scenario NAME { ... }`
#[derive(Clone, Debug)]
pub(crate) struct Scenario {
    /// Its id.
    pub name: Ident,
    /// One-line title.
    pub title: String,
    /// Threads and what can go wrong.
    pub summary: String,
    /// `source "...";`: the messages or kernel code it models.
    pub source: Vec<String>,
    /// Its knobs.
    pub knobs: Vec<KnobDecl>,
    /// Function overrides the scenario's knobs select (a lock-order bug, say).
    pub funcs: Vec<Func>,
    /// The properties it checks.
    pub properties: Vec<Ident>,
    /// Its declarations: VMAs, folios, threads, reclaim (compile-time statements).
    pub body: Vec<Stmt>,
    /// `expect` clauses.
    pub expects: Vec<Expect>,
    /// `exists` queries.
    pub exists: Vec<Exists>,
}

/// `expect d1, d2 [with k = v, ...]: prop, ~prop;`
#[derive(Clone, Debug)]
pub struct Expect {
    /// The designs (`*` for every design).
    pub designs: Vec<Ident>,
    /// Knob settings for this clause.
    pub with: Vec<(Ident, Ident)>,
    /// Properties: `true` = violated, `false` (`~`) = holds.
    pub props: Vec<(Ident, bool)>,
    /// The whole clause.
    pub span: Span,
}

/// `exists d1 [with ...]: (predicate);`
#[derive(Clone, Debug)]
pub struct Exists {
    /// The designs.
    pub designs: Vec<Ident>,
    /// Knob settings.
    pub with: Vec<(Ident, Ident)>,
    /// The state predicate.
    pub pred: Expr,
    /// The whole clause.
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug)]
pub(crate) enum Stmt {
    /// A call (a primitive op or an inlined function).
    Call(Expr),
    /// `if (c) s [else s]`: compile-time if `c` is, else a runtime branch.
    If(Expr, Box<Stmt>, Option<Box<Stmt>>, Span),
    /// `{ ... }`
    Block(Vec<Stmt>),
    /// `goto L;`
    Goto(Ident),
    /// `L:`
    Label(Ident),
    /// `return [e];`
    Return(Option<Expr>, Span),
    /// `flags |= F;` (`set`) or `flags &= ~F;`
    Flag {
        /// The flag.
        flag: Ident,
        /// Set or clear.
        set: bool,
    },
    /// `switch (call) { case C: goto L; ... }`
    Switch(Expr, Vec<(Expr, Vec<Stmt>)>, Span),
    /// `for (i = a; i < b; i++) s` (compile-time).
    For(Ident, Expr, Expr, Box<Stmt>),
    /// `for_each_vma(v) s` (compile-time, address order).
    ForEachVma(Ident, Box<Stmt>),
    /// `vma NAME = KIND [anon_vma] [readonly] [pfnmap|mixedmap|uffd_wp|maybe_guard];`:
    /// the words after the kind are the VMA's attributes (`readonly`: no VM_WRITE, as a
    /// `.so` text mapping; the last four are `VM_COPY_ON_FORK` flags).
    Vma(Name, Expr, Vec<Ident>),
    /// `folio NAME = BACKEND START;`
    Folio(Name, Expr, Expr),
    /// `thread ROLE NAME [process P] { ... }` or `daemon NAME [process P] { ... }`
    /// (`P` is `mm`, the default, or `other`).
    Thread(Ident, Name, Option<Ident>, Vec<Stmt>),
    /// `reclaim e;`
    Reclaim(Expr, Span),
    /// `admission e;`
    Admission(Expr, Span),
}

/// A declared name, possibly indexed: `F[i]` names `F0`, `F1`, ...
#[derive(Clone, Debug)]
pub struct Name {
    /// The base name.
    pub base: Ident,
    /// The index.
    pub index: Option<Box<Expr>>,
}

/// An expression.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A number.
    Int(i64, Span),
    /// A name, maybe indexed.
    Name(Name),
    /// `f(args)`
    Call(Ident, Vec<Expr>, Span),
    /// `!e`, `~e`, `-e`
    Unary(&'static str, Box<Expr>, Span),
    /// `a op b`
    Binary(&'static str, Box<Expr>, Box<Expr>),
    /// `a->b->c`
    Arrow(Vec<Ident>),
}

impl Expr {
    /// Where it is.
    pub fn span(&self) -> Span {
        match self {
            Expr::Int(_, s) | Expr::Call(_, _, s) | Expr::Unary(_, _, s) => *s,
            Expr::Name(n) => match &n.index {
                Some(i) => n.base.span.to(i.span()),
                None => n.base.span,
            },
            Expr::Binary(_, a, b) => a.span().to(b.span()),
            Expr::Arrow(v) => match (v.first(), v.last()) {
                (Some(a), Some(b)) => a.span.to(b.span),
                _ => Span::default(),
            },
        }
    }
}
