//! Calls: a design's override against the prelude's signature, arguments bound to
//! parameters, the callee's body inlined, its return codes mapped to the caller's labels.

use super::{Ctx, Emit, Frame, MAX_INLINE, R, Ret, Val, err};
use crate::ast::{Expr, Func, Ident};
use crate::diag::{Diagnostic, Span};
use crate::intern::intern;
use crate::ops;
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
            )
            .related(
                Some(base_file),
                base.name.span,
                "the definition it overrides",
            ),
        ));
    }
    Ok(())
}

impl Ctx<'_> {
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

    pub(super) fn ret(&self, e: Option<&Expr>, span: Span, f: &mut Frame, em: &mut Emit) -> R<()> {
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
        let r = self
            .stmts(&func.body, &mut fr, em)
            .and_then(|()| self.check_placed(&fr));
        em.depth -= 1;
        // An error inside the callee shows where it was inlined from.
        r.map_err(|mut e| {
            e.diag = e
                .diag
                .related(Some(f.file), span, format!("`{}` inlined here", id.name));
            e
        })
    }
}
