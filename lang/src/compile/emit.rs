//! A thread's statements to protocol instructions.

use super::{
    Ctx, Emit, Frame, LabelInfo, R, Ret, ThreadDecl, Val, err, inline::case_of,
    labels::collect_labels, labels::jump_loop, lower::flag_of, stmt_span,
};
use crate::ast::{Expr, Ident, Stmt};
use crate::ops::{self, Use};
use crate::reporting::{Constant, Message};
use faultline_protocol::{Label, Op, ProgramBuilder, Role, ThreadSpec};
use std::collections::HashMap;

impl Ctx<'_> {
    pub(super) fn thread(&self, t: &ThreadDecl<'_>) -> R<ThreadSpec> {
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
                Message::ThreadTooLong {
                    span: t.span,
                    name: t.name.clone(),
                    len: n,
                },
            ));
        }
        let spans = std::mem::take(&mut em.spans);
        let program = em.b.build().map_err(|e| {
            err(
                self.scen_file,
                Message::ThreadDoesNotBuild {
                    span: t.span,
                    name: t.name.clone(),
                    error: e.to_string(),
                },
            )
        })?;
        crate::lockcheck::check(&program, &spans, t.role == Role::Server)?;
        if let Some(pc) = jump_loop(&program) {
            let (file, span) = spans
                .get(usize::from(pc))
                .copied()
                .unwrap_or((self.scen_file, t.span));
            return Err(err(
                file,
                Message::LoopsForever {
                    span,
                    name: t.name.clone(),
                },
            ));
        }
        if t.role == Role::Server
            && !program
                .ops()
                .any(|o| matches!(o, Op::FuseDevRead | Op::UffdRead))
        {
            return Err(err(
                self.scen_file,
                Message::DaemonNeverYields {
                    span: t.span,
                    name: t.name.clone(),
                },
            ));
        }
        Ok(ThreadSpec {
            name: t.name.clone(),
            program,
            role: t.role,
            process: t.process,
        })
    }

    pub(super) fn declare_labels(&self, body: &[Stmt], f: &mut Frame, em: &mut Emit) {
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

    pub(super) fn check_placed(&self, f: &Frame) -> R<()> {
        for (name, info) in &f.labels {
            if let (false, Some(span)) = (info.placed, info.used) {
                return Err(err(
                    f.file,
                    Message::LabelCompiledOut {
                        span,
                        name: name.clone(),
                    },
                ));
            }
        }
        Ok(())
    }

    pub(super) fn label_of(&self, l: &Ident, f: &mut Frame, em: &mut Emit) -> R<Label> {
        match f.labels.get_mut(&l.name) {
            Some(info) => {
                info.used.get_or_insert(l.span);
                Ok(*info.label.get_or_insert_with(|| em.b.label()))
            }
            None => {
                let names: Vec<&str> = f.labels.keys().map(String::as_str).collect();
                Err(err(
                    f.file,
                    Message::UnknownLabel {
                        span: l.span,
                        name: l.name.clone(),
                        candidates: names.into_iter().map(str::to_string).collect(),
                    },
                ))
            }
        }
    }

    pub(super) fn stmts(&self, body: &[Stmt], f: &mut Frame, em: &mut Emit) -> R<()> {
        for s in body {
            self.stmt(s, f, em)?;
        }
        Ok(())
    }

    pub(super) fn stmt(&self, s: &Stmt, f: &mut Frame, em: &mut Emit) -> R<()> {
        match s {
            Stmt::Block(v) => self.stmts(v, f, em),
            Stmt::Label(l) => {
                let info = f
                    .labels
                    .get_mut(&l.name)
                    .ok_or_else(|| err(f.file, Message::LabelOutsideFunction { span: l.span }))?;
                if info.placed {
                    return Err(err(
                        f.file,
                        Message::LabelPlacedTwice {
                            span: l.span,
                            name: l.name.clone(),
                        },
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
                            Message::ResultUnused {
                                span: *span,
                                name: id.name.clone(),
                            },
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
                    return Err(err(f.file, Message::SwitchOnPrimitive { span: *cspan }));
                }
                let mut codes = Vec::new();
                for (v, body) in cases {
                    let Some(val) = self.eval(v, f)? else {
                        return Err(err(
                            f.file,
                            Message::NotConstant {
                                span: v.span(),
                                what: Constant::Case,
                            },
                        ));
                    };
                    let Some(lab) = self.case_target(body, f, em)? else {
                        return Err(err(f.file, Message::CaseFallsThrough { span: v.span() }));
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
                Message::NotInCode {
                    span: stmt_span(other),
                },
            )),
        }
    }

    /// The label a case body jumps to (compile-time `if`s fold).
    pub(super) fn case_target(
        &self,
        body: &[Stmt],
        f: &mut Frame,
        em: &mut Emit,
    ) -> R<Option<Label>> {
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
                                Message::Unhandled {
                                    span: *span,
                                    code: code.clone(),
                                    passed_on: true,
                                },
                            ))
                        }
                    };
                }
                Stmt::If(c, a, b, span) => {
                    let Some(v) = self.eval(c, f)? else {
                        return Err(err(
                            f.file,
                            Message::NotConstant {
                                span: *span,
                                what: Constant::CaseIf,
                            },
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
                        Message::CaseNotAJump {
                            span: stmt_span(other),
                        },
                    ));
                }
            }
        }
        Ok(None)
    }

    /// The label `s` jumps to if it is nothing but a jump: `goto L;`, or a `return`
    /// of a code that maps to a caller's label and needs no `VM_FAULT_RETRY` check.
    pub(super) fn pure_jump(
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
}
