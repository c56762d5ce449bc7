//! A scenario's declarations: VMAs, folios, threads, daemons, reclaim, admission.

use super::{
    Ctx, Decl, Frame, R, ThreadDecl, Val, err, labels::check_labels, stmt_span, top_frame,
};
use crate::ast::{Expr, Name, Stmt};
use crate::reporting::{Constant, Limit, Message, Word};
use faultline_protocol::{
    Admission, Backend, FolioSpec, FolioStart, MAX_FOLIOS, MAX_VMAS, Process, Reclaim, Role,
    VmaKind, VmaSpec,
};

/// The VMA attributes that are `VM_COPY_ON_FORK` flags (include/linux/mm.h, 7.2.13):
/// `vma_needs_copy` copies such a VMA's page tables on fork even without an `anon_vma`.
const COPY_ON_FORK: [&str; 4] = ["pfnmap", "mixedmap", "uffd_wp", "maybe_guard"];

impl<'a> Ctx<'a> {
    pub(super) fn declare(&mut self, body: &'a [Stmt], f: &Frame, d: &mut Decl<'a>) -> R<()> {
        for s in body {
            match s {
                Stmt::Vma(n, kind, attrs) => {
                    let name = self.name_text(n, f)?;
                    if let Some(a) = attrs.iter().find(|a| {
                        a.name != "anon_vma"
                            && a.name != "readonly"
                            && !COPY_ON_FORK.contains(&a.name.as_str())
                    }) {
                        return Err(err(
                            f.file,
                            Message::UnknownAttribute {
                                span: a.span,
                                name: a.name.clone(),
                            },
                        ));
                    }
                    let anon = attrs.iter().any(|a| a.name == "anon_vma");
                    let readonly = attrs.iter().any(|a| a.name == "readonly");
                    let copy_on_fork = attrs
                        .iter()
                        .any(|a| COPY_ON_FORK.contains(&a.name.as_str()));
                    let kind = match self.eval(kind, f)? {
                        Some(Val::Sym(k)) if k == "anon" => VmaKind::Anon,
                        Some(Val::Sym(k)) if k == "private-file" => VmaKind::PrivateFile,
                        Some(Val::Sym(k)) if k == "shared-file" => VmaKind::SharedFile,
                        _ => {
                            return Err(err(
                                f.file,
                                Message::NotOneOf {
                                    span: kind.span(),
                                    what: Word::VmaKind,
                                },
                            ));
                        }
                    };
                    self.unique(&name, n, f)?;
                    self.declared.push((name.clone(), (f.file, n.base.span)));
                    if self.vmas.len() == MAX_VMAS {
                        return Err(err(
                            f.file,
                            Message::TooMany {
                                span: n.base.span,
                                what: Limit::Vmas,
                            },
                        ));
                    }
                    self.vmas.push((
                        name.clone(),
                        VmaSpec {
                            name,
                            kind,
                            anon_vma: anon,
                            copy_on_fork,
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
                                Message::NotOneOf {
                                    span: backend.span(),
                                    what: Word::Backing,
                                },
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
                                Message::NotOneOf {
                                    span: start.span(),
                                    what: Word::FolioStart,
                                },
                            ));
                        }
                    };
                    self.unique(&name, n, f)?;
                    self.declared.push((name.clone(), (f.file, n.base.span)));
                    if self.folios.len() == MAX_FOLIOS {
                        return Err(err(
                            f.file,
                            Message::TooMany {
                                span: n.base.span,
                                what: Limit::Folios,
                            },
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
                            return Err(err(
                                f.file,
                                Message::UnknownRole {
                                    span: role.span,
                                    name: role.name.clone(),
                                },
                            ));
                        }
                    };
                    let name = self.name_text(n, f)?;
                    if let Some(first) = d.threads.iter().find(|t| t.name == name) {
                        return Err(err(
                            f.file,
                            Message::ThreadDeclaredTwice {
                                name: name.clone(),
                                again: n.base.span,
                                first: first.span,
                            },
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
                                Message::UnknownProcess {
                                    span: at,
                                    name: p.to_string(),
                                },
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
                                Message::NotOneOf {
                                    span: *span,
                                    what: Word::ReclaimBudget,
                                },
                            ));
                        }
                    });
                }
                Stmt::Admission(e, _) => d.admission = Some(self.admission(e, f)?),
                Stmt::If(c, a, b, span) => {
                    let Some(v) = self.eval(c, f)? else {
                        return Err(err(
                            f.file,
                            Message::NotConstant {
                                span: *span,
                                what: Constant::ScenarioIf,
                            },
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
                    return Err(err(
                        f.file,
                        Message::NotADeclaration {
                            span: stmt_span(other),
                        },
                    ));
                }
            }
        }
        Ok(())
    }

    pub(super) fn unique(&self, name: &str, n: &Name, f: &Frame) -> R<()> {
        if self.vmas.iter().any(|(k, _)| k == name)
            || self.folios.iter().any(|(k, _)| k == name)
            || self.knob(name).is_some()
        {
            let first = self
                .declared
                .iter()
                .find(|(k, _)| k == name)
                .map(|&(_, at)| at);
            return Err(err(
                f.file,
                Message::NameTaken {
                    span: n.base.span,
                    name: name.to_string(),
                    first,
                },
            ));
        }
        Ok(())
    }

    pub(super) fn admission(&self, e: &Expr, f: &Frame) -> R<Admission> {
        match self.eval(e, f)? {
            Some(Val::Sym(s)) if s == "fair" => Ok(Admission::Fair),
            Some(Val::Sym(s)) if s == "steal" => Ok(Admission::Steal),
            _ => Err(err(
                f.file,
                Message::NotOneOf {
                    span: e.span(),
                    what: Word::Admission,
                },
            )),
        }
    }
}
