//! Labels, checked before anything compiles: duplicates, gotos to missing labels;
//! and, after emission, loops of jumps that never reach a step.

use crate::ast::{Ident, Stmt};
use crate::diag::Diagnostic;
use crate::reporting::Message;
use faultline_protocol::Op;

/// The first instruction of a loop of unconditional jumps and flag writes that never
/// reaches a step, a test or an exit (`here: goto here;`): the checker would find it
/// only at run time (`ModelError::LocalLoop`), without a position.
pub(super) fn jump_loop(p: &faultline_protocol::Program) -> Option<u8> {
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
        if let Some(first) = labels[..i].iter().find(|o| o.name == l.name) {
            return Err(Message::LabelDefinedTwice {
                name: l.name.clone(),
                again: l.span,
                first: first.span,
            }
            .into());
        }
    }
    let mut gotos = Vec::new();
    collect_gotos(body, &mut gotos);
    for g in gotos {
        if !labels.iter().any(|l| l.name == g.name) {
            return Err(Message::UnknownLabel {
                span: g.span,
                name: g.name.clone(),
                candidates: labels.iter().map(|l| l.name.clone()).collect(),
            }
            .into());
        }
    }
    Ok(())
}

pub(super) fn collect_labels<'a>(body: &'a [Stmt], out: &mut Vec<&'a Ident>) {
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

pub(super) fn collect_gotos<'a>(body: &'a [Stmt], out: &mut Vec<&'a Ident>) {
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
