//! A primitive call's arguments to operands, and a runtime condition to jumps.

use super::{Ctx, Emit, Frame, R, Val, err};
use crate::ast::{Expr, Ident, Name};
use crate::diag::{Diagnostic, Span};
use crate::ops::{self, Use};
use faultline_protocol::{Flag, Label, Op};

impl Ctx<'_> {
    pub(super) fn op_args(
        &self,
        def: &ops::OpDef,
        args: &[Expr],
        span: Span,
        f: &Frame,
    ) -> R<Vec<u8>> {
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
    pub(super) fn jump(
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

pub(super) fn is_flag_reg(e: &Expr) -> bool {
    matches!(e, Expr::Name(n) if n.index.is_none() && matches!(n.base.name.as_str(), "flags" | "fault"))
}

pub(super) fn flag_of(id: &Ident, file: usize) -> R<Flag> {
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
