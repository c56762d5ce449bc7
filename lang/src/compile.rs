//! The compiler: a scenario's declarations and its threads' code, with the design's
//! functions inlined, to a [`Machine`]. Compile-time `if`s (on knobs, parameters and
//! VMA kinds) fold away; the rest become the protocol's jumps, so no runtime state is
//! added.

use std::collections::HashMap;

use faultline_protocol::{
    Admission, Backend, Flag, FolioSpec, FolioStart, Label, MAX_FOLIOS, MAX_THREADS, MAX_VMAS,
    Machine, Op, Process, ProgramBuilder, Reclaim, Role, ThreadSpec, VmaKind, VmaSpec,
};

use crate::ast::{self, Expr, Func, Ident, Name, Stmt};
use crate::catalog::{At, Catalog};
use crate::diag::{Diagnostic, Span, did_you_mean};
use crate::intern::intern;
use crate::knob::{Knob, KnobKind};
use crate::ops::{self, Use};

/// A compile error in a file.
#[derive(Debug)]
pub(crate) struct CErr {
    pub file: usize,
    pub diag: Diagnostic,
}

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

/// The first instruction of a loop of unconditional jumps and flag writes that never
/// reaches a step, a test or an exit (`here: goto here;`): the checker would find it
/// only at run time (`ModelError::LocalLoop`), without a position.
fn jump_loop(p: &faultline_protocol::Program) -> Option<u8> {
    for start in 0..p.len() {
        let mut pc = u8::try_from(start).ok()?;
        let mut seen = vec![false; p.len()];
        while let Some(i) = p.get(pc) {
            if std::mem::replace(&mut seen[usize::from(pc)], true) {
                return Some(pc);
            }
            pc = match i.op {
                Op::Goto(l) => p.target(l),
                Op::SetFlag(_) | Op::ClearFlag(_) | Op::FaultRetry => pc.checked_add(1)?,
                _ => break,
            };
        }
    }
    None
}

/// Checks labels of a body before anything is compiled: duplicates, and gotos to
/// labels the function does not have.
pub(crate) fn check_labels(body: &[Stmt]) -> Result<(), Diagnostic> {
    let mut labels: Vec<&Ident> = Vec::new();
    collect_labels(body, &mut labels);
    for (i, l) in labels.iter().enumerate() {
        if labels[..i].iter().any(|o| o.name == l.name) {
            return Err(Diagnostic::new(
                l.span,
                format!("label `{}` is defined twice", l.name),
                "defined again",
            ));
        }
    }
    let mut gotos = Vec::new();
    collect_gotos(body, &mut gotos);
    for g in gotos {
        if !labels.iter().any(|l| l.name == g.name) {
            return Err(Diagnostic::new(
                g.span,
                format!("goto to undefined label `{}`", g.name),
                "no such label in this function",
            )
            .suggest(&g.name, labels.iter().map(|l| l.name.as_str())));
        }
    }
    Ok(())
}

fn collect_labels<'a>(body: &'a [Stmt], out: &mut Vec<&'a Ident>) {
    for s in body {
        match s {
            Stmt::Label(l) => out.push(l),
            Stmt::If(_, a, b, _) => {
                collect_labels(std::slice::from_ref(a), out);
                if let Some(b) = b {
                    collect_labels(std::slice::from_ref(b), out);
                }
            }
            Stmt::Block(v) => collect_labels(v, out),
            Stmt::For(_, _, _, b) | Stmt::ForEachVma(_, b) => {
                collect_labels(std::slice::from_ref(b), out)
            }
            Stmt::Switch(_, cases, _) => {
                for (_, b) in cases {
                    collect_labels(b, out);
                }
            }
            _ => {}
        }
    }
}

fn collect_gotos<'a>(body: &'a [Stmt], out: &mut Vec<&'a Ident>) {
    for s in body {
        match s {
            Stmt::Goto(l) => out.push(l),
            Stmt::If(_, a, b, _) => {
                collect_gotos(std::slice::from_ref(a), out);
                if let Some(b) = b {
                    collect_gotos(std::slice::from_ref(b), out);
                }
            }
            Stmt::Block(v) => collect_gotos(v, out),
            Stmt::For(_, _, _, b) | Stmt::ForEachVma(_, b) => {
                collect_gotos(std::slice::from_ref(b), out)
            }
            Stmt::Switch(_, cases, _) => {
                for (_, b) in cases {
                    collect_gotos(b, out);
                }
            }
            // Threads are their own label scope.
            _ => {}
        }
    }
}

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

fn err(file: usize, d: Diagnostic) -> CErr {
    CErr { file, diag: d }
}

/// The label a caller's `case` list gives `code`. A caller written before
/// `VM_FAULT_RETRY_HARD` existed (msg 081's flag: vmf_can_call_fault,
/// __vmf_anon_prepare, device-private) has only a `VM_FAULT_RETRY_MMAP` case for
/// those sites, and takes it.
fn case_of(codes: &[(Val, Label)], code: &Val) -> Option<Label> {
    let find = |c: &Val| codes.iter().find(|(k, _)| k == c).map(|(_, l)| *l);
    find(code).or_else(|| match code {
        Val::Sym(s) if s == "VM_FAULT_RETRY_HARD" => find(&Val::Sym("VM_FAULT_RETRY_MMAP".into())),
        _ => None,
    })
}

fn to_val(s: &str) -> Val {
    s.parse::<i64>()
        .map_or_else(|_| Val::Sym(s.to_string()), Val::Int)
}

/// Builds the machine for a design chain, a scenario and resolved knob values.
pub(crate) fn build(cat: &Catalog, chain: &[At], sat: At, knobs: &[(Knob, String)]) -> R<Machine> {
    let mut funcs: HashMap<&str, (usize, &Func)> = HashMap::new();
    for (fi, f) in cat.files.iter().enumerate() {
        for func in &f.ast.funcs {
            funcs.insert(func.name.name.as_str(), (fi, func));
        }
    }
    let mut overridden: HashMap<&str, (usize, Span)> = HashMap::new();
    for &c in chain.iter().rev() {
        for func in &cat.design_ast(c).funcs {
            check_override(&funcs, c.0, func)?;
            funcs.insert(func.name.name.as_str(), (c.0, func));
            overridden.insert(func.name.name.as_str(), (c.0, func.name.span));
        }
    }
    let sc = cat.scenario_ast(sat);
    for func in &sc.funcs {
        check_override(&funcs, sat.0, func)?;
        if overridden.contains_key(func.name.name.as_str()) {
            return Err(err(
                sat.0,
                Diagnostic::new(
                    func.name.span,
                    format!("the design also overrides `{}`", func.name.name),
                    "overridden twice",
                )
                .help("a scenario may override only functions the design leaves alone"),
            ));
        }
        funcs.insert(func.name.name.as_str(), (sat.0, func));
    }
    let mut ctx = Ctx {
        funcs,
        knobs: knobs.iter().map(|(k, v)| (k.clone(), to_val(v))).collect(),
        vmas: Vec::new(),
        readonly: Vec::new(),
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
            for (fi, f) in cat.files.iter().enumerate() {
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
                Diagnostic::new(
                    t.span,
                    format!("more than {MAX_THREADS} threads"),
                    "one thread too many",
                )
                .help("the state encoding holds at most this many threads"),
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
            Diagnostic::new(
                sc.name.span,
                format!("scenario does not build: {e}"),
                "this scenario",
            ),
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

fn check_override(funcs: &HashMap<&str, (usize, &Func)>, file: usize, func: &Func) -> R<()> {
    let Some((_, base)) = funcs.get(func.name.name.as_str()) else {
        return Err(err(
            file,
            Diagnostic::new(
                func.name.span,
                format!("`{}` overrides no prelude function", func.name.name),
                "not in the prelude",
            )
            .suggest(&func.name.name, funcs.keys().copied()),
        ));
    };
    if base.params.len() != func.params.len() || base.ret.name != func.ret.name {
        return Err(err(
            file,
            Diagnostic::new(
                func.name.span,
                format!(
                    "`{}` must keep the prelude's signature ({} {}, {} parameters)",
                    func.name.name,
                    base.ret.name,
                    base.name.name,
                    base.params.len()
                ),
                "signature differs",
            ),
        ));
    }
    Ok(())
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

impl<'a> Ctx<'a> {
    fn knob(&self, name: &str) -> Option<&(Knob, Val)> {
        self.knobs.iter().find(|(k, _)| k.name == name)
    }

    /// Every name a bare identifier could mean here, for did-you-mean.
    fn names(&self, f: &Frame) -> Vec<String> {
        let mut v: Vec<String> = f.env.iter().map(|(n, _)| n.clone()).collect();
        v.extend(self.knobs.iter().map(|(k, _)| k.name.clone()));
        v.extend(self.vmas.iter().map(|(n, _)| n.clone()));
        v.extend(self.folios.iter().map(|(n, _)| n.clone()));
        v
    }

    fn name_text(&self, n: &Name, f: &Frame) -> R<String> {
        match &n.index {
            None => Ok(n.base.name.clone()),
            Some(i) => match self.eval(i, f)? {
                Some(Val::Int(k)) => Ok(format!("{}{k}", n.base.name)),
                _ => Err(err(
                    f.file,
                    Diagnostic::new(
                        i.span(),
                        "an index must be a compile-time number",
                        "not a number",
                    ),
                )),
            },
        }
    }

    /// Compile-time value of `e`, or `None` if it needs the running thread.
    fn eval(&self, e: &Expr, f: &Frame) -> R<Option<Val>> {
        match e {
            Expr::Int(n, _) => Ok(Some(Val::Int(*n))),
            Expr::Name(n) => {
                let text = self.name_text(n, f)?;
                if n.index.is_none() {
                    if let Some((_, v)) = f.env.iter().rev().find(|(k, _)| *k == text) {
                        return Ok(Some(v.clone()));
                    }
                    if let Some((_, v)) = self.knob(&text) {
                        return Ok(Some(v.clone()));
                    }
                }
                if let Some(i) = self.vmas.iter().position(|(k, _)| *k == text) {
                    return Ok(Some(Val::Vma(i as u8)));
                }
                if let Some(i) = self.folios.iter().position(|(k, _)| *k == text) {
                    return Ok(Some(Val::Folio(i as u8)));
                }
                let is_const = text.len() > 1
                    && text
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                let is_word = WORDS.contains(&text.as_str())
                    || self.knobs.iter().any(
                        |(k, _)| matches!(&k.values, KnobKind::Choice(v) if v.contains(&text)),
                    );
                if is_const || is_word {
                    return Ok(Some(Val::Sym(text)));
                }
                let names = self.names(f);
                Err(err(
                    f.file,
                    Diagnostic::new(
                        n.base.span,
                        format!("unknown name `{text}`"),
                        "not a parameter, knob, VMA, folio or constant",
                    )
                    .suggest(&text, names.iter().map(String::as_str)),
                ))
            }
            Expr::Call(id, args, span) => {
                if ops::lookup(&id.name).is_some() {
                    return Ok(None);
                }
                self.call_const(id, args, *span, f)
            }
            Expr::Arrow(_) => Ok(None),
            Expr::Unary(op, a, span) => {
                let Some(v) = self.eval(a, f)? else {
                    return Ok(None);
                };
                match (*op, v) {
                    ("!", v) => Ok(Some(Val::Int(i64::from(!v.truthy())))),
                    ("-", Val::Int(n)) => Ok(Some(Val::Int(n.wrapping_neg()))),
                    ("~", Val::Int(n)) => Ok(Some(Val::Int(!n))),
                    (_, v) => Err(err(
                        f.file,
                        Diagnostic::new(
                            *span,
                            format!("`{op}` needs a number, not `{}`", v.text()),
                            "not a number",
                        ),
                    )),
                }
            }
            Expr::Binary(op, a, b) => {
                if *op == "&" && is_flag_reg(a) {
                    return Ok(None);
                }
                let av = self.eval(a, f)?;
                if matches!(*op, "&&" | "||") {
                    return match av {
                        Some(v) if (*op == "&&") != v.truthy() => {
                            Ok(Some(Val::Int(i64::from(*op == "||"))))
                        }
                        Some(_) => match self.eval(b, f)? {
                            Some(bv) => Ok(Some(Val::Int(i64::from(bv.truthy())))),
                            None => Ok(None),
                        },
                        None => Ok(None),
                    };
                }
                let Some(av) = av else { return Ok(None) };
                if matches!(*op, "==" | "!=") {
                    self.check_knob_compare(a, b, f)?;
                    self.check_knob_compare(b, a, f)?;
                }
                let Some(bv) = self.eval(b, f)? else {
                    return Ok(None);
                };
                let span = e.span();
                let num = |v: &Val| match v {
                    Val::Int(n) => Ok(*n),
                    _ => Err(err(
                        f.file,
                        Diagnostic::new(
                            span,
                            format!("`{op}` needs numbers, not `{}`", v.text()),
                            "not a number",
                        ),
                    )),
                };
                let r = match *op {
                    "==" => i64::from(av == bv),
                    "!=" => i64::from(av != bv),
                    "<" => i64::from(num(&av)? < num(&bv)?),
                    "<=" => i64::from(num(&av)? <= num(&bv)?),
                    ">" => i64::from(num(&av)? > num(&bv)?),
                    ">=" => i64::from(num(&av)? >= num(&bv)?),
                    "+" => num(&av)?.wrapping_add(num(&bv)?),
                    "-" => num(&av)?.wrapping_sub(num(&bv)?),
                    "*" => num(&av)?.wrapping_mul(num(&bv)?),
                    "/" | "%" => {
                        let d = num(&bv)?;
                        if d == 0 {
                            return Err(err(
                                f.file,
                                Diagnostic::new(span, "division by zero", "divides by zero"),
                            ));
                        }
                        if *op == "/" {
                            num(&av)?.wrapping_div(d)
                        } else {
                            num(&av)?.wrapping_rem(d)
                        }
                    }
                    "&" => num(&av)? & num(&bv)?,
                    "|" => num(&av)? | num(&bv)?,
                    _ => {
                        return Err(err(
                            f.file,
                            Diagnostic::new(span, format!("unsupported operator `{op}`"), "here"),
                        ));
                    }
                };
                Ok(Some(Val::Int(r)))
            }
        }
    }

    /// `knob == word`: the word must be one of the knob's values.
    fn check_knob_compare(&self, a: &Expr, b: &Expr, f: &Frame) -> R<()> {
        let (Expr::Name(an), Expr::Name(bn)) = (a, b) else {
            return Ok(());
        };
        if an.index.is_some() || bn.index.is_some() || f.env.iter().any(|(n, _)| *n == an.base.name)
        {
            return Ok(());
        }
        let Some((k, _)) = self.knob(&an.base.name) else {
            return Ok(());
        };
        let KnobKind::Choice(values) = &k.values else {
            return Ok(());
        };
        let w = &bn.base.name;
        if values.contains(w) || self.knob(w).is_some() || f.env.iter().any(|(n, _)| n == w) {
            return Ok(());
        }
        Err(err(
            f.file,
            Diagnostic::new(
                bn.base.span,
                format!("`{w}` is not a value of knob `{}`", k.name),
                "never equal",
            )
            .help(match did_you_mean(w, values.iter().map(String::as_str)) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("valid values: {}", values.join(", ")),
            }),
        ))
    }

    fn call_const(&self, id: &Ident, args: &[Expr], span: Span, f: &Frame) -> R<Option<Val>> {
        let vma_kind = |i: usize| -> R<VmaKind> {
            match args.get(i).map(|a| self.eval(a, f)).transpose()?.flatten() {
                Some(Val::Vma(v)) => Ok(self.vmas[usize::from(v)].1.kind),
                _ => Err(err(
                    f.file,
                    Diagnostic::new(span, format!("`{}` takes one VMA", id.name), "needs a VMA"),
                )),
            }
        };
        match id.name.as_str() {
            "vma_is_anonymous" => {
                return Ok(Some(Val::Int(i64::from(vma_kind(0)? == VmaKind::Anon))));
            }
            "is_cow_mapping" => {
                return Ok(Some(Val::Int(i64::from(vma_kind(0)?.is_anon_or_cow()))));
            }
            "vma_is_writable" => {
                // VM_WRITE: every VMA but a `readonly` one.
                return match args.first().map(|a| self.eval(a, f)).transpose()?.flatten() {
                    Some(Val::Vma(v)) => {
                        Ok(Some(Val::Int(i64::from(!self.readonly[usize::from(v)]))))
                    }
                    _ => Err(err(
                        f.file,
                        Diagnostic::new(span, "`vma_is_writable` takes one VMA", "needs a VMA"),
                    )),
                };
            }
            "vma_is_shared" => {
                return Ok(Some(Val::Int(i64::from(
                    vma_kind(0)? == VmaKind::SharedFile,
                ))));
            }
            _ => {}
        }
        let Some(&(fi, func)) = self.funcs.get(id.name.as_str()) else {
            return Err(self.unknown_call(id, f));
        };
        if func.ret.name != "bool" {
            return Ok(None);
        }
        if f.preds >= MAX_INLINE {
            return Err(err(
                f.file,
                Diagnostic::new(
                    span,
                    format!(
                        "`{}` is called more than {MAX_INLINE} deep (recursion?)",
                        id.name
                    ),
                    "too deep",
                ),
            ));
        }
        let spent = self.pred_calls.get() + 1;
        self.pred_calls.set(spent);
        if spent > MAX_PRED_CALLS {
            return Err(err(
                f.file,
                Diagnostic::new(
                    span,
                    format!("compile-time predicates made more than {MAX_PRED_CALLS} calls"),
                    "too many calls",
                ),
            ));
        }
        let env = self.bind(func, args, span, f)?;
        let fr = Frame {
            file: fi,
            site: f.site,
            env,
            labels: HashMap::new(),
            ret: Ret::Thread,
            preds: f.preds + 1,
        };
        match self.run_pred(&func.body, &fr)? {
            Some(v) => Ok(Some(v)),
            None => Err(err(
                fi,
                Diagnostic::new(
                    func.name.span,
                    format!("predicate `{}` ends without `return`", func.name.name),
                    "no value",
                ),
            )),
        }
    }

    /// Runs a compile-time predicate's body; `Some` once it returns.
    fn run_pred(&self, body: &[Stmt], f: &Frame) -> R<Option<Val>> {
        for s in body {
            match s {
                Stmt::Return(Some(e), span) => {
                    return match self.eval(e, f)? {
                        Some(v) => Ok(Some(v)),
                        None => Err(err(
                            f.file,
                            Diagnostic::new(
                                *span,
                                "a `bool` function returns a compile-time value",
                                "depends on the running thread",
                            )
                            .help("declare it `vm_fault_t` or `void` to emit code"),
                        )),
                    };
                }
                Stmt::If(c, a, b, span) => {
                    let Some(v) = self.eval(c, f)? else {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                *span,
                                "a `bool` function tests only compile-time values",
                                "runtime test",
                            ),
                        ));
                    };
                    let branch = if v.truthy() { Some(&**a) } else { b.as_deref() };
                    if let Some(s) = branch
                        && let Some(v) = self.run_pred(std::slice::from_ref(s), f)?
                    {
                        return Ok(Some(v));
                    }
                }
                Stmt::Block(v) => {
                    if let Some(v) = self.run_pred(v, f)? {
                        return Ok(Some(v));
                    }
                }
                other => {
                    return Err(err(
                        f.file,
                        Diagnostic::new(
                            stmt_span(other),
                            "a `bool` function may only use `if` and `return`",
                            "not allowed here",
                        ),
                    ));
                }
            }
        }
        Ok(None)
    }

    fn unknown_call(&self, id: &Ident, f: &Frame) -> CErr {
        let mut names: Vec<&str> = self.funcs.keys().copied().collect();
        names.extend(ops::OPS.iter().map(|o| o.name));
        names.sort_unstable();
        err(
            f.file,
            Diagnostic::new(
                id.span,
                format!("unknown call `{}`", id.name),
                "not a faultline primitive or a prelude function",
            )
            .suggest(&id.name, names),
        )
    }

    fn bind(&self, func: &Func, args: &[Expr], span: Span, f: &Frame) -> R<Vec<(String, Val)>> {
        if func.params.len() != args.len() {
            return Err(err(
                f.file,
                Diagnostic::new(
                    span,
                    format!(
                        "`{}` takes {} arguments, {} given",
                        func.name.name,
                        func.params.len(),
                        args.len()
                    ),
                    "wrong number of arguments",
                ),
            ));
        }
        let mut env = Vec::new();
        for (p, a) in func.params.iter().zip(args) {
            let Some(v) = self.eval(a, f)? else {
                return Err(err(
                    f.file,
                    Diagnostic::new(
                        a.span(),
                        "arguments are compile-time values",
                        "depends on the running thread",
                    ),
                ));
            };
            env.push((p.name.clone(), v));
        }
        Ok(env)
    }

    // ---- scenario declarations ----

    fn declare(&mut self, body: &'a [Stmt], f: &Frame, d: &mut Decl<'a>) -> R<()> {
        for s in body {
            match s {
                Stmt::Vma(n, kind, attrs) => {
                    let name = self.name_text(n, f)?;
                    if let Some(a) = attrs
                        .iter()
                        .find(|a| !matches!(a.name.as_str(), "anon_vma" | "readonly"))
                    {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                a.span,
                                format!("`{}` is not a VMA attribute", a.name),
                                "unknown attribute",
                            )
                            .help("a VMA's attributes are `anon_vma` and `readonly`"),
                        ));
                    }
                    let anon = attrs.iter().any(|a| a.name == "anon_vma");
                    let readonly = attrs.iter().any(|a| a.name == "readonly");
                    let kind = match self.eval(kind, f)? {
                        Some(Val::Sym(k)) if k == "anon" => VmaKind::Anon,
                        Some(Val::Sym(k)) if k == "private-file" => VmaKind::PrivateFile,
                        Some(Val::Sym(k)) if k == "shared-file" => VmaKind::SharedFile,
                        _ => {
                            return Err(err(
                                f.file,
                                Diagnostic::new(
                                    kind.span(),
                                    "a VMA kind is `anon`, `private-file` or `shared-file`",
                                    "not a VMA kind",
                                ),
                            ));
                        }
                    };
                    self.unique(&name, n, f)?;
                    if self.vmas.len() == MAX_VMAS {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                n.base.span,
                                format!("more than {MAX_VMAS} VMAs"),
                                "one VMA too many",
                            ),
                        ));
                    }
                    self.vmas.push((
                        name.clone(),
                        VmaSpec {
                            name,
                            kind,
                            anon_vma: anon,
                        },
                    ));
                    self.readonly.push(readonly);
                }
                Stmt::Folio(n, backend, start) => {
                    let name = self.name_text(n, f)?;
                    let backend = match self.eval(backend, f)? {
                        Some(Val::Sym(k)) if k == "disk" => Backend::Disk,
                        Some(Val::Sym(k)) if k == "fuse" => Backend::Fuse,
                        Some(Val::Sym(k)) if k == "uffd" => Backend::Uffd,
                        _ => {
                            return Err(err(
                                f.file,
                                Diagnostic::new(
                                    backend.span(),
                                    "a folio's backing is `disk`, `fuse` or `uffd`",
                                    "not a backing",
                                ),
                            ));
                        }
                    };
                    let start = match self.eval(start, f)? {
                        Some(Val::Sym(k)) if k == "absent" => FolioStart::Absent,
                        Some(Val::Sym(k)) if k == "cached" => FolioStart::Cached,
                        Some(Val::Sym(k)) if k == "reading" => FolioStart::Reading,
                        _ => {
                            return Err(err(
                                f.file,
                                Diagnostic::new(
                                    start.span(),
                                    "a folio starts `absent`, `cached` or `reading`",
                                    "not a start state",
                                ),
                            ));
                        }
                    };
                    self.unique(&name, n, f)?;
                    if self.folios.len() == MAX_FOLIOS {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                n.base.span,
                                format!("more than {MAX_FOLIOS} folios"),
                                "one folio too many",
                            ),
                        ));
                    }
                    self.folios.push((
                        name.clone(),
                        FolioSpec {
                            name,
                            backend,
                            start,
                        },
                    ));
                }
                Stmt::Thread(role, n, process, body) => {
                    let r = match role.name.as_str() {
                        "fault" => Role::Fault,
                        "fork" => Role::Fork,
                        "modifier" => Role::Modifier,
                        "holder" => Role::Holder,
                        "daemon" => Role::Server,
                        _ => {
                            return Err(err(f.file, Diagnostic::new(role.span, format!("unknown thread role `{}`", role.name), "not a role")
                                .suggest(&role.name, ["fault", "fork", "modifier", "holder"])
                                .help("roles: fault, fork, modifier, holder; write `daemon NAME { ... }` for a server")))
                        }
                    };
                    let name = self.name_text(n, f)?;
                    if d.threads.iter().any(|t| t.name == name) {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                n.base.span,
                                format!("thread `{name}` is declared twice"),
                                "again",
                            ),
                        ));
                    }
                    check_labels(body).map_err(|e| err(f.file, e))?;
                    let process = match process.as_ref().map(|p| p.name.as_str()) {
                        None | Some("mm") => Process::Mm,
                        Some("other") => Process::Other,
                        Some(p) => {
                            let at = process.as_ref().map_or(n.base.span, |p| p.span);
                            return Err(err(
                                f.file,
                                Diagnostic::new(
                                    at,
                                    format!("unknown process `{p}`"),
                                    "not a process",
                                )
                                .help("`process mm` (the mm's own process, the default) or `process other` (another process, e.g. a daemon reading /proc/<pid>/cmdline)")
                                .suggest(p, ["mm", "other"]),
                            ));
                        }
                    };
                    d.threads.push(ThreadDecl {
                        role: r,
                        process,
                        name,
                        body,
                        env: f.env.clone(),
                        span: n.base.span,
                    });
                }
                Stmt::Reclaim(e, span) => {
                    d.reclaim = Some(match self.eval(e, f)? {
                        Some(Val::Int(n)) if (0..=255).contains(&n) => Reclaim::Bounded(n as u8),
                        Some(Val::Sym(s)) if s == "unbounded" => Reclaim::Unbounded,
                        _ => {
                            return Err(err(
                                f.file,
                                Diagnostic::new(
                                    *span,
                                    "reclaim takes a number of evictions (0..255) or `unbounded`",
                                    "not a budget",
                                ),
                            ));
                        }
                    });
                }
                Stmt::Admission(e, _) => d.admission = Some(self.admission(e, f)?),
                Stmt::If(c, a, b, span) => {
                    let Some(v) = self.eval(c, f)? else {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                *span,
                                "a scenario's `if` tests compile-time values",
                                "runtime test",
                            ),
                        ));
                    };
                    if v.truthy() {
                        self.declare(std::slice::from_ref(&**a), f, d)?;
                    } else if let Some(b) = b {
                        self.declare(std::slice::from_ref(&**b), f, d)?;
                    }
                }
                Stmt::Block(v) => self.declare(v, f, d)?,
                Stmt::For(var, from, to, body) => {
                    let (lo, hi) = self.range(from, to, f)?;
                    for i in lo..hi {
                        let mut fr = top_frame(f);
                        fr.env.push((var.name.clone(), Val::Int(i)));
                        self.declare(std::slice::from_ref(&**body), &fr, d)?;
                    }
                }
                other => {
                    return Err(err(f.file, Diagnostic::new(stmt_span(other), "not a scenario declaration", "code belongs in a thread or function")
                        .help("a scenario declares `vma`, `folio`, `thread`, `daemon`, `reclaim`, `admission`, `if` and `for`")));
                }
            }
        }
        Ok(())
    }

    fn unique(&self, name: &str, n: &Name, f: &Frame) -> R<()> {
        if self.vmas.iter().any(|(k, _)| k == name)
            || self.folios.iter().any(|(k, _)| k == name)
            || self.knob(name).is_some()
        {
            return Err(err(
                f.file,
                Diagnostic::new(
                    n.base.span,
                    format!("`{name}` is already declared"),
                    "name taken",
                ),
            ));
        }
        Ok(())
    }

    fn range(&self, from: &Expr, to: &Expr, f: &Frame) -> R<(i64, i64)> {
        match (self.eval(from, f)?, self.eval(to, f)?) {
            (Some(Val::Int(a)), Some(Val::Int(b))) if b - a <= 64 => Ok((a, b)),
            (Some(Val::Int(_)), Some(Val::Int(_))) => Err(err(
                f.file,
                Diagnostic::new(to.span(), "a loop of more than 64 rounds", "too many"),
            )),
            _ => Err(err(
                f.file,
                Diagnostic::new(
                    from.span().to(to.span()),
                    "loop bounds are compile-time numbers",
                    "not numbers",
                ),
            )),
        }
    }

    fn admission(&self, e: &Expr, f: &Frame) -> R<Admission> {
        match self.eval(e, f)? {
            Some(Val::Sym(s)) if s == "fair" => Ok(Admission::Fair),
            Some(Val::Sym(s)) if s == "steal" => Ok(Admission::Steal),
            _ => Err(err(
                f.file,
                Diagnostic::new(
                    e.span(),
                    "admission is `fair` or `steal`",
                    "not an admission mode",
                ),
            )),
        }
    }

    // ---- threads ----

    fn thread(&self, t: &ThreadDecl<'_>) -> R<ThreadSpec> {
        let mut em = Emit {
            b: ProgramBuilder::new(self.scen_site),
            spans: Vec::new(),
            depth: 0,
        };
        let mut fr = Frame {
            file: self.scen_file,
            site: self.scen_site,
            env: t.env.clone(),
            labels: HashMap::new(),
            ret: Ret::Thread,
            preds: 0,
        };
        self.declare_labels(t.body, &mut fr, &mut em);
        self.stmts(t.body, &mut fr, &mut em)?;
        self.check_placed(&fr)?;
        let n = em.b_len();
        if n > 254 {
            return Err(err(
                self.scen_file,
                Diagnostic::new(
                    t.span,
                    format!(
                        "thread `{}` compiles to {n} instructions; at most 254 are allowed",
                        t.name
                    ),
                    "too long",
                ),
            ));
        }
        let spans = std::mem::take(&mut em.spans);
        let program = em.b.build().map_err(|e| {
            err(
                self.scen_file,
                Diagnostic::new(
                    t.span,
                    format!("thread `{}` does not build: {e}", t.name),
                    "this thread",
                ),
            )
        })?;
        crate::lockcheck::check(&program, &spans, t.role == Role::Server)
            .map_err(|(file, d)| err(file, d))?;
        if let Some(pc) = jump_loop(&program) {
            let (file, span) = spans
                .get(usize::from(pc))
                .copied()
                .unwrap_or((self.scen_file, t.span));
            return Err(err(
                file,
                Diagnostic::new(
                    span,
                    format!("thread `{}` loops here forever without a step", t.name),
                    "jumps back without doing anything",
                )
                .help("the kernel would spin; every loop must lock, wait or test a flag"),
            ));
        }
        if t.role == Role::Server
            && !program
                .ops()
                .any(|o| matches!(o, Op::FuseDevRead | Op::UffdRead))
        {
            return Err(err(self.scen_file, Diagnostic::new(t.span, format!("daemon `{}` never yields", t.name), "never waits for work")
                .help("a daemon must wait for work (`fuse_dev_do_read()` or `userfaultfd_read()`); make it a `thread` otherwise")));
        }
        Ok(ThreadSpec {
            name: t.name.clone(),
            program,
            role: t.role,
            process: t.process,
        })
    }

    fn declare_labels(&self, body: &[Stmt], f: &mut Frame, em: &mut Emit) {
        let mut labels = Vec::new();
        collect_labels(body, &mut labels);
        let _ = em;
        for l in labels {
            f.labels.insert(
                l.name.clone(),
                LabelInfo {
                    label: None,
                    placed: false,
                    used: None,
                },
            );
        }
    }

    fn check_placed(&self, f: &Frame) -> R<()> {
        for (name, info) in &f.labels {
            if let (false, Some(span)) = (info.placed, info.used) {
                return Err(err(
                    f.file,
                    Diagnostic::new(
                        span,
                        format!("label `{name}` is compiled out here"),
                        "jumps into code a compile-time `if` removed",
                    ),
                ));
            }
        }
        Ok(())
    }

    fn label_of(&self, l: &Ident, f: &mut Frame, em: &mut Emit) -> R<Label> {
        match f.labels.get_mut(&l.name) {
            Some(info) => {
                info.used.get_or_insert(l.span);
                Ok(*info.label.get_or_insert_with(|| em.b.label()))
            }
            None => {
                let names: Vec<&str> = f.labels.keys().map(String::as_str).collect();
                Err(err(
                    f.file,
                    Diagnostic::new(
                        l.span,
                        format!("goto to undefined label `{}`", l.name),
                        "no such label in this function",
                    )
                    .suggest(&l.name, names),
                ))
            }
        }
    }

    fn stmts(&self, body: &[Stmt], f: &mut Frame, em: &mut Emit) -> R<()> {
        for s in body {
            self.stmt(s, f, em)?;
        }
        Ok(())
    }

    fn stmt(&self, s: &Stmt, f: &mut Frame, em: &mut Emit) -> R<()> {
        match s {
            Stmt::Block(v) => self.stmts(v, f, em),
            Stmt::Label(l) => {
                let info = f.labels.get_mut(&l.name).ok_or_else(|| {
                    err(
                        f.file,
                        Diagnostic::new(l.span, "label outside its function", "here"),
                    )
                })?;
                if info.placed {
                    return Err(err(
                        f.file,
                        Diagnostic::new(
                            l.span,
                            format!("label `{}` is placed twice (inside a loop?)", l.name),
                            "again",
                        ),
                    ));
                }
                info.placed = true;
                let lab = *info.label.get_or_insert_with(|| em.b.label());
                em.b.place(lab);
                Ok(())
            }
            Stmt::Goto(l) => {
                let lab = self.label_of(l, f, em)?;
                em.op(f, l.span, Op::Goto(lab));
                Ok(())
            }
            Stmt::Flag { flag, set } => {
                let fl = flag_of(flag, f.file)?;
                em.op(
                    f,
                    flag.span,
                    if *set {
                        Op::SetFlag(fl)
                    } else {
                        Op::ClearFlag(fl)
                    },
                );
                Ok(())
            }
            Stmt::If(c, a, b, span) => {
                if let Some(v) = self.eval(c, f)? {
                    if v.truthy() {
                        return self.stmt(a, f, em);
                    }
                    return match b {
                        Some(b) => self.stmt(b, f, em),
                        None => Ok(()),
                    };
                }
                if b.is_none()
                    && let Some(lab) = self.pure_jump(a, f, em, false)?
                {
                    return self.jump(c, true, lab, f, em, *span);
                }
                let els = em.b.label();
                self.jump(c, false, els, f, em, *span)?;
                self.stmt(a, f, em)?;
                if let Some(b) = b {
                    let end = em.b.label();
                    em.op(f, *span, Op::Goto(end));
                    em.b.place(els);
                    self.stmt(b, f, em)?;
                    em.b.place(end);
                } else {
                    em.b.place(els);
                }
                Ok(())
            }
            Stmt::Return(e, span) => self.ret(e.as_ref(), *span, f, em),
            Stmt::Call(Expr::Call(id, args, span)) => {
                if let Some(def) = ops::lookup(&id.name) {
                    if def.use_ != Use::Stmt {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                *span,
                                format!("`{}` can fail: test it in an `if`", id.name),
                                "result unused",
                            )
                            .help(format!("write `if (!{}(...)) goto LABEL;`", id.name)),
                        ));
                    }
                    let a = self.op_args(def, args, *span, f)?;
                    em.op(f, *span, (def.make)(&a, Label(0)));
                    return Ok(());
                }
                let after = em.b.label();
                self.inline(
                    id,
                    args,
                    *span,
                    Ret::Codes(vec![(Val::Int(0), after)]),
                    f,
                    em,
                )?;
                em.b.place(after);
                Ok(())
            }
            Stmt::Switch(Expr::Call(id, args, cspan), cases, _) => {
                if ops::lookup(&id.name).is_some() {
                    return Err(err(
                        f.file,
                        Diagnostic::new(
                            *cspan,
                            "switch on a primitive",
                            "switch on an inlined function's return code",
                        ),
                    ));
                }
                let mut codes = Vec::new();
                for (v, body) in cases {
                    let Some(val) = self.eval(v, f)? else {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                v.span(),
                                "a case is a compile-time return code",
                                "not constant",
                            ),
                        ));
                    };
                    let Some(lab) = self.case_target(body, f, em)? else {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                v.span(),
                                "every case must end in `goto LABEL;` or `return CODE;`",
                                "falls through",
                            ),
                        ));
                    };
                    codes.push((val, lab));
                }
                self.inline(id, args, *cspan, Ret::Codes(codes), f, em)
            }
            Stmt::ForEachVma(var, body) => {
                for i in 0..self.vmas.len() {
                    f.env.push((var.name.clone(), Val::Vma(i as u8)));
                    let r = self.stmt(body, f, em);
                    f.env.pop();
                    r?;
                }
                Ok(())
            }
            Stmt::For(var, from, to, body) => {
                let (lo, hi) = self.range(from, to, f)?;
                for i in lo..hi {
                    f.env.push((var.name.clone(), Val::Int(i)));
                    let r = self.stmt(body, f, em);
                    f.env.pop();
                    r?;
                }
                Ok(())
            }
            other => Err(err(
                f.file,
                Diagnostic::new(
                    stmt_span(other),
                    "not allowed in code",
                    "declarations belong to the scenario",
                ),
            )),
        }
    }

    /// The label a case body jumps to (compile-time `if`s fold).
    fn case_target(&self, body: &[Stmt], f: &mut Frame, em: &mut Emit) -> R<Option<Label>> {
        for s in body {
            match s {
                Stmt::Goto(l) => return Ok(Some(self.label_of(l, f, em)?)),
                Stmt::Return(e, span) => {
                    return match self.pure_jump(s, f, em, true)? {
                        Some(l) => Ok(Some(l)),
                        None => {
                            let code = match e {
                                Some(e) => self.eval(e, f)?.map_or("?".to_string(), |v| v.text()),
                                None => "0".to_string(),
                            };
                            Err(err(
                                f.file,
                                Diagnostic::new(
                                    *span,
                                    format!("the caller does not handle `{code}`"),
                                    "passed on to a caller without a `case` for it",
                                )
                                .help(
                                    "call the function in a `switch` with a `case` for this code",
                                ),
                            ))
                        }
                    };
                }
                Stmt::If(c, a, b, span) => {
                    let Some(v) = self.eval(c, f)? else {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                *span,
                                "a case tests only compile-time values",
                                "runtime test",
                            ),
                        ));
                    };
                    let br = if v.truthy() { Some(&**a) } else { b.as_deref() };
                    if let Some(s) = br
                        && let Some(l) = self.case_target(std::slice::from_ref(s), f, em)?
                    {
                        return Ok(Some(l));
                    }
                }
                Stmt::Block(v) => {
                    if let Some(l) = self.case_target(v, f, em)? {
                        return Ok(Some(l));
                    }
                }
                other => {
                    return Err(err(
                        f.file,
                        Diagnostic::new(
                            stmt_span(other),
                            "a case only jumps (`goto LABEL;` or `return CODE;`)",
                            "not a jump",
                        ),
                    ));
                }
            }
        }
        Ok(None)
    }

    /// The label `s` jumps to if it is nothing but a jump: `goto L;`, or a `return`
    /// of a code that maps to a caller's label and needs no `VM_FAULT_RETRY` check.
    fn pure_jump(
        &self,
        s: &Stmt,
        f: &mut Frame,
        em: &mut Emit,
        passthrough: bool,
    ) -> R<Option<Label>> {
        match s {
            Stmt::Goto(l) => Ok(Some(self.label_of(l, f, em)?)),
            Stmt::Block(v) if v.len() == 1 => self.pure_jump(&v[0], f, em, passthrough),
            Stmt::Return(e, _) => {
                let Ret::Codes(codes) = &f.ret else {
                    return Ok(None);
                };
                let code = match e {
                    None => Val::Int(0),
                    Some(Expr::Call(..)) => return Ok(None),
                    Some(e) => match self.eval(e, f)? {
                        Some(v) => v,
                        None => return Ok(None),
                    },
                };
                if !passthrough && matches!(&code, Val::Sym(s) if s.starts_with("VM_FAULT_RETRY")) {
                    return Ok(None);
                }
                Ok(case_of(codes, &code))
            }
            _ => Ok(None),
        }
    }

    fn ret(&self, e: Option<&Expr>, span: Span, f: &mut Frame, em: &mut Emit) -> R<()> {
        if let Ret::Thread = f.ret {
            if e.is_some() {
                return Err(err(
                    f.file,
                    Diagnostic::new(span, "a thread returns no value", "value ignored"),
                ));
            }
            em.op(f, span, Op::Exit);
            return Ok(());
        }
        // A tail call passes the caller's return codes through.
        if let Some(Expr::Call(id, args, cspan)) = e
            && ops::lookup(&id.name).is_none()
            && self
                .funcs
                .get(id.name.as_str())
                .is_some_and(|(_, func)| func.ret.name != "bool")
        {
            let ret = f.ret.clone();
            return self.inline(id, args, *cspan, ret, f, em);
        }
        let code = match e {
            None => Val::Int(0),
            Some(e) => self.eval(e, f)?.ok_or_else(|| {
                err(
                    f.file,
                    Diagnostic::new(
                        e.span(),
                        "a return code is a compile-time value",
                        "not constant",
                    ),
                )
            })?,
        };
        let Ret::Codes(codes) = &f.ret else {
            return Ok(());
        };
        let Some(lab) = case_of(codes, &code) else {
            return Err(err(
                f.file,
                Diagnostic::new(
                    span,
                    format!("the caller does not handle `{}`", code.text()),
                    "unhandled return code",
                )
                .help("call it in a `switch` with a `case` for this code"),
            ));
        };
        if matches!(&code, Val::Sym(s) if s.starts_with("VM_FAULT_RETRY")) {
            em.op(f, span, Op::FaultRetry);
        }
        em.op(f, span, Op::Goto(lab));
        Ok(())
    }

    fn inline(
        &self,
        id: &Ident,
        args: &[Expr],
        span: Span,
        ret: Ret,
        f: &Frame,
        em: &mut Emit,
    ) -> R<()> {
        let Some(&(fi, func)) = self.funcs.get(id.name.as_str()) else {
            return Err(self.unknown_call(id, f));
        };
        if func.ret.name == "bool" {
            return Err(err(
                f.file,
                Diagnostic::new(
                    span,
                    format!("`{}` is a compile-time predicate", id.name),
                    "use it in an `if`",
                ),
            ));
        }
        if em.depth >= MAX_INLINE {
            return Err(err(
                f.file,
                Diagnostic::new(
                    span,
                    format!(
                        "`{}` is inlined more than {MAX_INLINE} deep (recursion?)",
                        id.name
                    ),
                    "too deep",
                ),
            ));
        }
        let env = self.bind(func, args, span, f)?;
        let mut fr = Frame {
            file: fi,
            site: intern(&func.name.name),
            env,
            labels: HashMap::new(),
            ret,
            preds: f.preds,
        };
        self.declare_labels(&func.body, &mut fr, em);
        em.depth += 1;
        let r = self.stmts(&func.body, &mut fr, em);
        em.depth -= 1;
        r?;
        self.check_placed(&fr)
    }

    fn op_args(&self, def: &ops::OpDef, args: &[Expr], span: Span, f: &Frame) -> R<Vec<u8>> {
        if def.args.len() != args.len() {
            let what = def
                .args
                .iter()
                .map(|a| match a {
                    ops::Arg::Vma => "a VMA",
                    ops::Arg::Folio => "a folio",
                })
                .collect::<Vec<_>>();
            return Err(err(
                f.file,
                Diagnostic::new(
                    span,
                    format!(
                        "`{}` takes {} arguments, {} given",
                        def.name,
                        def.args.len(),
                        args.len()
                    ),
                    "wrong number of arguments",
                )
                .help(if what.is_empty() {
                    "it works on the thread's VMA/folio handle: no arguments".to_string()
                } else {
                    format!("it takes {}", what.join(", "))
                }),
            ));
        }
        let mut out = Vec::new();
        for (a, kind) in args.iter().zip(def.args) {
            match (self.eval(a, f)?, kind) {
                (Some(Val::Vma(i)), ops::Arg::Vma) | (Some(Val::Folio(i)), ops::Arg::Folio) => {
                    out.push(i)
                }
                (v, _) => {
                    let want = if *kind == ops::Arg::Vma {
                        "a VMA"
                    } else {
                        "a folio"
                    };
                    let names: Vec<&str> = if *kind == ops::Arg::Vma {
                        self.vmas.iter().map(|(n, _)| n.as_str()).collect()
                    } else {
                        self.folios.iter().map(|(n, _)| n.as_str()).collect()
                    };
                    let mut d = Diagnostic::new(
                        a.span(),
                        format!(
                            "`{}` takes {want}, not {}",
                            def.name,
                            v.map_or("a runtime value".to_string(), |v| format!("`{}`", v.text()))
                        ),
                        format!("not {want}"),
                    );
                    if let Expr::Name(n) = a {
                        d = d.suggest(&n.base.name, names);
                    }
                    return Err(err(f.file, d));
                }
            }
        }
        Ok(out)
    }

    /// Emits a jump to `target` taken iff `c` is `when`; falls through otherwise.
    fn jump(
        &self,
        c: &Expr,
        when: bool,
        target: Label,
        f: &mut Frame,
        em: &mut Emit,
        span: Span,
    ) -> R<()> {
        if let Some(v) = self.eval(c, f)? {
            if v.truthy() == when {
                em.op(f, span, Op::Goto(target));
            }
            return Ok(());
        }
        // (op that jumps when its test is `jumps_when`)
        let (op_at, jumps_when): (Box<dyn Fn(Label) -> Op>, bool) = match c {
            Expr::Unary("!", a, _) => return self.jump(a, !when, target, f, em, span),
            Expr::Binary("&&" | "||", a, b) => {
                let and = matches!(c, Expr::Binary("&&", ..));
                // `a && b` is true iff both; `a || b` iff either.
                if when == and {
                    let skip = em.b.label();
                    self.jump(a, !when, skip, f, em, span)?;
                    self.jump(b, when, target, f, em, span)?;
                    em.b.place(skip);
                } else {
                    self.jump(a, when, target, f, em, span)?;
                    self.jump(b, when, target, f, em, span)?;
                }
                return Ok(());
            }
            Expr::Binary("&", a, b) if is_flag_reg(a) => {
                let Expr::Name(n) = &**b else {
                    return Err(err(f.file, Diagnostic::new(b.span(), "test one flag: `flags & FAULT_FLAG_TRIED`", "not a flag")));
                };
                let flag = flag_of(&n.base, f.file)?;
                (Box::new(move |l| Op::IfFlag { flag, then: l }), true)
            }
            Expr::Arrow(chain) => {
                let names: Vec<&str> = chain.iter().map(|i| i.name.as_str()).collect();
                let vma = match names.as_slice() {
                    ["vmf", "vma", "anon_vma"] => None,
                    [_, "anon_vma"] => match self.eval(&Expr::Name(Name { base: chain[0].clone(), index: None }), f)? {
                        Some(Val::Vma(v)) => Some(faultline_protocol::VmaId(v)),
                        _ => return Err(err(f.file, Diagnostic::new(chain[0].span, "`->anon_vma` needs a VMA", "not a VMA"))),
                    },
                    _ => return Err(err(f.file, Diagnostic::new(c.span(), "the only field is `anon_vma` (`v->anon_vma`, `vmf->vma->anon_vma`)", "unknown field"))),
                };
                (Box::new(move |l| Op::IfAnonVma { vma, then: l }), true)
            }
            Expr::Call(id, args, cspan) => {
                let Some(def) = ops::lookup(&id.name) else {
                    return Err(self.unknown_call(id, f));
                };
                if def.use_ == Use::Stmt {
                    return Err(err(f.file, Diagnostic::new(*cspan, format!("`{}` cannot fail: it is not a condition", id.name), "always succeeds")));
                }
                let a = self.op_args(def, args, *cspan, f)?;
                let make = def.make;
                (Box::new(move |l| make(&a, l)), def.use_ == Use::TrueJump)
            }
            _ => return Err(err(f.file, Diagnostic::new(c.span(), "not a condition", "cannot test this at run time")
                .help("runtime tests: a fallible call, `flags & FLAG`, `v->anon_vma`, combined with `!`, `&&`, `||`"))),
        };
        if jumps_when == when {
            em.op(f, span, op_at(target));
        } else {
            let skip = em.b.label();
            em.op(f, span, op_at(skip));
            em.op(f, span, Op::Goto(target));
            em.b.place(skip);
        }
        Ok(())
    }
}

impl Emit {
    fn b_len(&self) -> usize {
        self.spans.len()
    }
}

fn is_flag_reg(e: &Expr) -> bool {
    matches!(e, Expr::Name(n) if n.index.is_none() && matches!(n.base.name.as_str(), "flags" | "fault"))
}

fn flag_of(id: &Ident, file: usize) -> R<Flag> {
    match id.name.as_str() {
        "FAULT_FLAG_TRIED" => Ok(Flag::Tried),
        "VM_FAULT_MAJOR" => Ok(Flag::Major),
        _ => Err(err(
            file,
            Diagnostic::new(id.span, format!("unknown flag `{}`", id.name), "not a flag")
                .suggest(&id.name, ["FAULT_FLAG_TRIED", "VM_FAULT_MAJOR"]),
        )),
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

#[allow(dead_code)]
fn _ast_used(_: &ast::File) {}
