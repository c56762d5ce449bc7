//! A primitive call's arguments to operands, and a runtime condition to jumps.

use super::{Ctx, Emit, Frame, R, Val, err, eval::is_flag_reg};
use crate::ast::{Expr, Ident, Name};
use crate::diag::Span;
use crate::ops::{self, Use};
use crate::reporting::Message;
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
                Message::PrimitiveArity {
                    span,
                    name: def.name.to_string(),
                    takes: what,
                    given: args.len(),
                },
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
                    let suggest = match a {
                        Expr::Name(n) => Some((
                            n.base.name.clone(),
                            names.into_iter().map(str::to_string).collect(),
                        )),
                        _ => None,
                    };
                    return Err(err(
                        f.file,
                        Message::WrongOperand {
                            span: a.span(),
                            op: def.name.to_string(),
                            want,
                            got: v.map(|v| v.text()),
                            suggest,
                        },
                    ));
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
                    return Err(err(f.file, Message::NotOneFlag { span: b.span() }));
                };
                let flag = flag_of(&n.base, f.file)?;
                (Box::new(move |l| Op::IfFlag { flag, then: l }), true)
            }
            Expr::Arrow(chain) => {
                let names: Vec<&str> = chain.iter().map(|i| i.name.as_str()).collect();
                let vma = match names.as_slice() {
                    ["vmf", "vma", "anon_vma"] => None,
                    [_, "anon_vma"] => match self.eval(
                        &Expr::Name(Name {
                            base: chain[0].clone(),
                            index: None,
                        }),
                        f,
                    )? {
                        Some(Val::Vma(v)) => Some(faultline_protocol::VmaId(v)),
                        _ => {
                            return Err(err(
                                f.file,
                                Message::AnonVmaOfNoVma {
                                    span: chain[0].span,
                                },
                            ));
                        }
                    },
                    _ => return Err(err(f.file, Message::UnknownField { span: c.span() })),
                };
                (Box::new(move |l| Op::IfAnonVma { vma, then: l }), true)
            }
            Expr::Call(id, args, cspan) => {
                let Some(def) = ops::lookup(&id.name) else {
                    return Err(self.unknown_call(id, f));
                };
                if def.use_ == Use::Stmt {
                    return Err(err(
                        f.file,
                        Message::CannotFail {
                            span: *cspan,
                            name: id.name.clone(),
                        },
                    ));
                }
                let a = self.op_args(def, args, *cspan, f)?;
                let make = def.make;
                (Box::new(move |l| make(&a, l)), def.use_ == Use::TrueJump)
            }
            _ => return Err(err(f.file, Message::NotACondition { span: c.span() })),
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

pub(super) fn flag_of(id: &Ident, file: usize) -> R<Flag> {
    match id.name.as_str() {
        "FAULT_FLAG_TRIED" => Ok(Flag::Tried),
        "VM_FAULT_MAJOR" => Ok(Flag::Major),
        _ => Err(err(
            file,
            Message::UnknownFlag {
                span: id.span,
                name: id.name.clone(),
            },
        )),
    }
}
