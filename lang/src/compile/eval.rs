//! Compile-time evaluation: knobs, parameters, VMA kinds, predicates, so `if`s on them
//! fold away.

use super::{CErr, Ctx, Frame, MAX_INLINE, MAX_PRED_CALLS, R, Ret, Val, WORDS, err, stmt_span};
use crate::ast::{Expr, Func, Ident, Name, Stmt};
use crate::diag::Span;
use crate::knob::{Knob, KnobKind};
use crate::ops;
use crate::reporting::{Constant, Limit, Message};
use faultline_protocol::VmaKind;
use std::collections::HashMap;

impl Ctx<'_> {
    pub(super) fn knob(&self, name: &str) -> Option<&(Knob, Val)> {
        self.knobs.iter().find(|(k, _)| k.name == name)
    }

    /// Every name a bare identifier could mean here, for did-you-mean.
    pub(super) fn names(&self, f: &Frame) -> Vec<String> {
        let mut v: Vec<String> = f.env.iter().map(|(n, _)| n.clone()).collect();
        v.extend(self.knobs.iter().map(|(k, _)| k.name.clone()));
        v.extend(self.vmas.iter().map(|(n, _)| n.clone()));
        v.extend(self.folios.iter().map(|(n, _)| n.clone()));
        v
    }

    pub(super) fn name_text(&self, n: &Name, f: &Frame) -> R<String> {
        match &n.index {
            None => Ok(n.base.name.clone()),
            Some(i) => match self.eval(i, f)? {
                Some(Val::Int(k)) => Ok(format!("{}{k}", n.base.name)),
                _ => Err(err(
                    f.file,
                    Message::NotConstant {
                        span: i.span(),
                        what: Constant::Index,
                    },
                )),
            },
        }
    }

    /// Compile-time value of `e`, or `None` if it needs the running thread.
    pub(super) fn eval(&self, e: &Expr, f: &Frame) -> R<Option<Val>> {
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
                    Message::UnknownName {
                        span: n.base.span,
                        name: text,
                        candidates: names,
                    },
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
                        Message::NeedsNumber {
                            span: *span,
                            op: op.to_string(),
                            value: v.text(),
                            unary: true,
                        },
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
                        Message::NeedsNumber {
                            span,
                            op: op.to_string(),
                            value: v.text(),
                            unary: false,
                        },
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
                            return Err(err(f.file, Message::DivisionByZero { span }));
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
                            Message::UnsupportedOperator {
                                span,
                                op: op.to_string(),
                            },
                        ));
                    }
                };
                Ok(Some(Val::Int(r)))
            }
        }
    }

    /// `knob == word`: the word must be one of the knob's values.
    pub(super) fn check_knob_compare(&self, a: &Expr, b: &Expr, f: &Frame) -> R<()> {
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
            Message::NotKnobValue {
                span: bn.base.span,
                word: w.to_string(),
                knob: k.name.clone(),
                values: values.clone(),
            },
        ))
    }

    pub(super) fn call_const(
        &self,
        id: &Ident,
        args: &[Expr],
        span: Span,
        f: &Frame,
    ) -> R<Option<Val>> {
        let vma_kind = |i: usize| -> R<VmaKind> {
            match args.get(i).map(|a| self.eval(a, f)).transpose()?.flatten() {
                Some(Val::Vma(v)) => Ok(self.vmas[usize::from(v)].1.kind),
                _ => Err(err(
                    f.file,
                    Message::TakesOneVma {
                        span,
                        name: id.name.clone(),
                    },
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
                        Message::TakesOneVma {
                            span,
                            name: "vma_is_writable".to_string(),
                        },
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
                Message::TooDeep {
                    span,
                    name: id.name.clone(),
                    inlined: false,
                    max: MAX_INLINE,
                },
            ));
        }
        let spent = self.pred_calls.get() + 1;
        self.pred_calls.set(spent);
        if spent > MAX_PRED_CALLS {
            return Err(err(
                f.file,
                Message::TooManyPredicateCalls {
                    span,
                    max: MAX_PRED_CALLS,
                },
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
                Message::PredicateWithoutReturn {
                    span: func.name.span,
                    name: func.name.name.clone(),
                },
            )),
        }
    }

    /// Runs a compile-time predicate's body; `Some` once it returns.
    pub(super) fn run_pred(&self, body: &[Stmt], f: &Frame) -> R<Option<Val>> {
        for s in body {
            match s {
                Stmt::Return(Some(e), span) => {
                    return match self.eval(e, f)? {
                        Some(v) => Ok(Some(v)),
                        None => Err(err(
                            f.file,
                            Message::NotConstant {
                                span: *span,
                                what: Constant::PredicateReturn,
                            },
                        )),
                    };
                }
                Stmt::If(c, a, b, span) => {
                    let Some(v) = self.eval(c, f)? else {
                        return Err(err(
                            f.file,
                            Message::NotConstant {
                                span: *span,
                                what: Constant::PredicateIf,
                            },
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
                        Message::NotInPredicate {
                            span: stmt_span(other),
                        },
                    ));
                }
            }
        }
        Ok(None)
    }

    pub(super) fn unknown_call(&self, id: &Ident, f: &Frame) -> CErr {
        let mut names: Vec<&str> = self.funcs.keys().copied().collect();
        names.extend(ops::OPS.iter().map(|o| o.name));
        names.sort_unstable();
        err(
            f.file,
            Message::UnknownCall {
                span: id.span,
                name: id.name.clone(),
                candidates: names.into_iter().map(str::to_string).collect(),
            },
        )
    }

    pub(super) fn bind(
        &self,
        func: &Func,
        args: &[Expr],
        span: Span,
        f: &Frame,
    ) -> R<Vec<(String, Val)>> {
        if func.params.len() != args.len() {
            return Err(err(
                f.file,
                Message::WrongArity {
                    span,
                    name: func.name.name.clone(),
                    want: func.params.len(),
                    given: args.len(),
                },
            ));
        }
        let mut env = Vec::new();
        for (p, a) in func.params.iter().zip(args) {
            let Some(v) = self.eval(a, f)? else {
                return Err(err(
                    f.file,
                    Message::NotConstant {
                        span: a.span(),
                        what: Constant::Argument,
                    },
                ));
            };
            env.push((p.name.clone(), v));
        }
        Ok(env)
    }

    pub(super) fn range(&self, from: &Expr, to: &Expr, f: &Frame) -> R<(i64, i64)> {
        match (self.eval(from, f)?, self.eval(to, f)?) {
            (Some(Val::Int(a)), Some(Val::Int(b))) if b - a <= 64 => Ok((a, b)),
            (Some(Val::Int(_)), Some(Val::Int(_))) => Err(err(
                f.file,
                Message::TooMany {
                    span: to.span(),
                    what: Limit::LoopRounds,
                },
            )),
            _ => Err(err(
                f.file,
                Message::NotConstant {
                    span: from.span().to(to.span()),
                    what: Constant::LoopBounds,
                },
            )),
        }
    }
}

/// `flags` or `fault`: the registers a runtime `&` tests (never a compile-time value).
pub(super) fn is_flag_reg(e: &Expr) -> bool {
    matches!(e, Expr::Name(n) if n.index.is_none() && matches!(n.base.name.as_str(), "flags" | "fault"))
}
