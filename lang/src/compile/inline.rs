//! Calls: a design's override against the prelude's signature, the callee's body
//! inlined (arguments bound by `eval`), its return codes mapped to the caller's labels.

use super::{Ctx, Emit, Frame, MAX_INLINE, R, Ret, Val, err};
use crate::ast::{Expr, Func, Ident};
use crate::diag::Span;
use crate::intern::intern;
use crate::ops;
use crate::reporting::{Constant, Message};
use faultline_protocol::{Label, Op};
use std::collections::HashMap;

pub(super) fn case_of(codes: &[(Val, Label)], code: &Val) -> Option<Label> {
    let find = |c: &Val| codes.iter().find(|(k, _)| k == c).map(|(_, l)| *l);
    find(code).or_else(|| match code {
        Val::Sym(s) if s == "VM_FAULT_RETRY_HARD" => find(&Val::Sym("VM_FAULT_RETRY_MMAP".into())),
        _ => None,
    })
}

pub(super) fn check_override(
    funcs: &HashMap<&str, (usize, &Func)>,
    file: usize,
    func: &Func,
) -> R<()> {
    let Some(&(base_file, base)) = funcs.get(func.name.name.as_str()) else {
        return Err(err(
            file,
            Message::OverridesNothing {
                span: func.name.span,
                name: func.name.name.clone(),
                candidates: funcs.keys().map(|k| k.to_string()).collect(),
            },
        ));
    };
    if base.params.len() != func.params.len() || base.ret.name != func.ret.name {
        return Err(err(
            file,
            Message::SignatureDiffers {
                span: func.name.span,
                name: func.name.name.clone(),
                ret: base.ret.name.clone(),
                params: base.params.len(),
                base: (base_file, base.name.span),
            },
        ));
    }
    Ok(())
}

impl Ctx<'_> {
    pub(super) fn ret(&self, e: Option<&Expr>, span: Span, f: &mut Frame, em: &mut Emit) -> R<()> {
        if let Ret::Thread = f.ret {
            if e.is_some() {
                return Err(err(f.file, Message::ThreadReturnsValue { span }));
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
                    Message::NotConstant {
                        span: e.span(),
                        what: Constant::ReturnCode,
                    },
                )
            })?,
        };
        let Ret::Codes(codes) = &f.ret else {
            return Ok(());
        };
        let Some(lab) = case_of(codes, &code) else {
            return Err(err(
                f.file,
                Message::Unhandled {
                    span,
                    code: code.text(),
                    passed_on: false,
                },
            ));
        };
        if matches!(&code, Val::Sym(s) if s.starts_with("VM_FAULT_RETRY")) {
            em.op(f, span, Op::FaultRetry);
        }
        em.op(f, span, Op::Goto(lab));
        Ok(())
    }

    pub(super) fn inline(
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
                Message::PredicateAsStatement {
                    span,
                    name: id.name.clone(),
                },
            ));
        }
        if em.depth >= MAX_INLINE {
            return Err(err(
                f.file,
                Message::TooDeep {
                    span,
                    name: id.name.clone(),
                    inlined: true,
                    max: MAX_INLINE,
                },
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
        let r = self
            .stmts(&func.body, &mut fr, em)
            .and_then(|()| self.check_placed(&fr));
        em.depth -= 1;
        // An error inside the callee shows where it was inlined from.
        r.map_err(|mut e| {
            e.diag = Box::new(e.diag.related(
                Some(f.file),
                span,
                format!("`{}` inlined here", id.name),
            ));
            e
        })
    }
}
