//! A scenario's declarations: VMAs, folios, threads, daemons, reclaim, admission.

use super::{
    Ctx, Decl, Frame, R, ThreadDecl, Val, err, labels::check_labels, stmt_span, top_frame,
};
use crate::ast::{Expr, Name, Stmt};
use crate::diag::Diagnostic;
use faultline_protocol::{
    Admission, Backend, FolioSpec, FolioStart, MAX_FOLIOS, MAX_VMAS, Process, Reclaim, Role,
    VmaKind, VmaSpec,
};

impl<'a> Ctx<'a> {
    pub(super) fn declare(&mut self, body: &'a [Stmt], f: &Frame, d: &mut Decl<'a>) -> R<()> {
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
                    if let Some(first) = d.threads.iter().find(|t| t.name == name) {
                        return Err(err(
                            f.file,
                            Diagnostic::new(
                                n.base.span,
                                format!("thread `{name}` is declared twice"),
                                "again",
                            )
                            .related(
                                None,
                                first.span,
                                "first declared here",
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

    pub(super) fn unique(&self, name: &str, n: &Name, f: &Frame) -> R<()> {
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

    pub(super) fn range(&self, from: &Expr, to: &Expr, f: &Frame) -> R<(i64, i64)> {
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

    pub(super) fn admission(&self, e: &Expr, f: &Frame) -> R<Admission> {
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
}
