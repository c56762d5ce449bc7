//! `exists` predicates: a clause's expression compiled against one built machine
//! into a [`Query`] over the world, read with the protocol's own queries
//! (`RwSem::readers`/`writer`, `VmaState::readers`, `FolioState::Locked`,
//! `Machine::blocked_on`).
//!
//! ```text
//! pred := pred && pred | pred || pred | !pred | ( pred )
//!       | holds(THREAD, LOCK [, read | write]) | waits(THREAD, LOCK)
//! LOCK := mmap_lock | a VMA (its per-VMA lock) | a folio (its folio lock)
//! ```

use faultline_protocol::{FolioId, FolioState, Machine, Mode, Tid, VmaId, WaitOn, World};

use crate::ast::Expr;
use crate::diag::Diagnostic;
use crate::reporting::Message;

/// A compiled state predicate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Query {
    /// Both.
    And(Box<Query>, Box<Query>),
    /// Either.
    Or(Box<Query>, Box<Query>),
    /// Not.
    Not(Box<Query>),
    /// The thread holds the lock (in this mode, for `mmap_lock`, if given).
    Holds(Tid, Lock, Option<Mode>),
    /// The thread sleeps on the lock (the wait-for edge out of it).
    Waits(Tid, Lock),
}

/// A lock a predicate names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lock {
    /// `mm->mmap_lock`.
    Mmap,
    /// A VMA's per-VMA lock.
    Vma(VmaId),
    /// A folio's lock.
    Folio(FolioId),
}

impl Query {
    /// Compiles `e` against `m`'s threads, VMAs and folios.
    pub fn compile(e: &Expr, m: &Machine) -> Result<Query, Diagnostic> {
        match e {
            Expr::Binary("&&", a, b) => Ok(Query::And(
                Box::new(Query::compile(a, m)?),
                Box::new(Query::compile(b, m)?),
            )),
            Expr::Binary("||", a, b) => Ok(Query::Or(
                Box::new(Query::compile(a, m)?),
                Box::new(Query::compile(b, m)?),
            )),
            Expr::Unary("!", a, _) => Ok(Query::Not(Box::new(Query::compile(a, m)?))),
            Expr::Call(f, args, span) => {
                let arity = |lo: usize, hi: usize| {
                    if args.len() < lo || args.len() > hi {
                        Err(Diagnostic::from(Message::QueryArity {
                            span: *span,
                            name: f.name.clone(),
                            lo,
                            hi,
                        }))
                    } else {
                        Ok(())
                    }
                };
                match f.name.as_str() {
                    "holds" => {
                        arity(2, 3)?;
                        let mode = match args.get(2) {
                            None => None,
                            Some(a) => Some(match word(a)? {
                                ("read", _) => Mode::Read,
                                ("write", _) => Mode::Write,
                                (_, s) => {
                                    return Err(Message::NotAMode { span: s }.into());
                                }
                            }),
                        };
                        Ok(Query::Holds(thread(&args[0], m)?, lock(&args[1], m)?, mode))
                    }
                    "waits" => {
                        arity(2, 2)?;
                        Ok(Query::Waits(thread(&args[0], m)?, lock(&args[1], m)?))
                    }
                    _ => Err(Message::UnknownQuery {
                        span: f.span,
                        name: f.name.clone(),
                    }
                    .into()),
                }
            }
            other => Err(Message::NotAStatePredicate { span: other.span() }.into()),
        }
    }

    /// Whether `w` satisfies it.
    pub fn eval(&self, m: &Machine, w: &World) -> bool {
        match self {
            Query::And(a, b) => a.eval(m, w) && b.eval(m, w),
            Query::Or(a, b) => a.eval(m, w) || b.eval(m, w),
            Query::Not(a) => !a.eval(m, w),
            Query::Holds(t, Lock::Mmap, mode) => match mode {
                None => w.mmap.held_by(*t),
                Some(Mode::Read) => w.mmap.readers().contains(*t),
                Some(Mode::Write) => w.mmap.writer() == Some(*t),
            },
            Query::Holds(t, Lock::Vma(v), _) => w.vma(*v).readers.contains(*t),
            Query::Holds(t, Lock::Folio(f), _) => w.folio(*f).state == FolioState::Locked(*t),
            Query::Waits(t, l) => {
                matches!(
                    (m.blocked_on(w, *t), l),
                    (Some(WaitOn::MmapLock(_)), Lock::Mmap)
                ) || matches!(
                    (m.blocked_on(w, *t), l),
                    (Some(WaitOn::VmaReaders(a)), Lock::Vma(b)) if a == *b
                ) || matches!(
                    (m.blocked_on(w, *t), l),
                    (Some(WaitOn::Folio(a)), Lock::Folio(b)) if a == *b
                )
            }
        }
    }
}

fn word(e: &Expr) -> Result<(&str, crate::diag::Span), Diagnostic> {
    match e {
        Expr::Name(n) if n.index.is_none() => Ok((n.base.name.as_str(), n.base.span)),
        other => Err(Message::ExpectedName { span: other.span() }.into()),
    }
}

fn thread(e: &Expr, m: &Machine) -> Result<Tid, Diagnostic> {
    let (name, span) = word(e)?;
    let names: Vec<&str> = m.threads().iter().map(|t| t.name.as_str()).collect();
    match names.iter().position(|n| *n == name) {
        Some(i) => Ok(Tid(i as u8)),
        None => Err(unknown("thread", name, span, &names)),
    }
}

fn lock(e: &Expr, m: &Machine) -> Result<Lock, Diagnostic> {
    let (name, span) = word(e)?;
    if name == "mmap_lock" {
        return Ok(Lock::Mmap);
    }
    if let Some(i) = m.vmas().iter().position(|v| v.name == name) {
        return Ok(Lock::Vma(VmaId(i as u8)));
    }
    if let Some(i) = m.folios().iter().position(|f| f.name == name) {
        return Ok(Lock::Folio(FolioId(i as u8)));
    }
    let mut names = vec!["mmap_lock"];
    names.extend(m.vmas().iter().map(|v| v.name.as_str()));
    names.extend(m.folios().iter().map(|f| f.name.as_str()));
    Err(unknown("lock", name, span, &names))
}

fn unknown(what: &'static str, name: &str, span: crate::diag::Span, names: &[&str]) -> Diagnostic {
    Message::UnknownInState {
        span,
        what,
        name: name.to_string(),
        names: names.iter().map(|n| n.to_string()).collect(),
    }
    .into()
}
