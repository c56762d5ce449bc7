//! Compile-time lock check: an unlock the path cannot reach holding the lock.
//!
//! A forward may-hold analysis over the compiled program (union at joins): if no path
//! from the start reaches an unlock with the lock held, the file is wrong. The runtime
//! step function catches the same misuse only on paths the explorer happens to take.

use faultline_protocol::{Op, Program};

use crate::diag::Span;
use crate::reporting::{CErr, Message};

const MMAP_R: u8 = 1;
const MMAP_W: u8 = 2;
const VMA_R: u8 = 4;
const FOLIO: u8 = 8;

/// (bits the op needs, bits it clears, bits it sets on fall-through).
fn effect(op: Op) -> (u8, u8, u8) {
    match op {
        Op::MmapReadLock | Op::MmapReadTrylock { .. } => (0, 0, MMAP_R),
        Op::MmapReadUnlock => (MMAP_R, MMAP_R, 0),
        Op::MmapWriteLock => (0, 0, MMAP_W),
        Op::MmapWriteUnlock => (MMAP_W, MMAP_W, 0),
        Op::MmapWriteDowngrade => (MMAP_W, MMAP_W, MMAP_R),
        Op::LockVmaUnderRcu { .. } | Op::VmaStartRead { .. } => (0, 0, VMA_R),
        Op::VmaEndRead => (VMA_R, VMA_R, 0),
        Op::FolioLock | Op::FolioTrylock { .. } => (0, 0, FOLIO),
        Op::FolioUnlock => (FOLIO, FOLIO, 0),
        _ => (0, 0, 0),
    }
}

fn what(bit: u8) -> &'static str {
    match bit {
        MMAP_R => "mmap_lock for read",
        MMAP_W => "mmap_lock for write",
        VMA_R => "a VMA read lock",
        _ => "a folio lock",
    }
}

/// Checks `program`; `spans` gives each instruction's (file, span).
pub(crate) fn check(program: &Program, spans: &[(usize, Span)], _daemon: bool) -> Result<(), CErr> {
    let n = program.len();
    // None = not reached yet.
    let mut state: Vec<Option<u8>> = vec![None; n + 1];
    if n == 0 {
        return Ok(());
    }
    state[0] = Some(0);
    let mut work = vec![0usize];
    while let Some(pc) = work.pop() {
        let Some(held) = state[pc] else { continue };
        let Some(instr) = program.get(pc as u8) else {
            continue;
        };
        let (needs, clears, sets) = effect(instr.op);
        if needs & held == 0 && needs != 0 {
            let (file, span) = spans.get(pc).copied().unwrap_or_default();
            return Err(CErr::new(
                file,
                Message::UnlockNotHeld {
                    span,
                    op: instr.op.kernel_name().to_string(),
                    lock: what(needs).to_string(),
                },
            ));
        }
        let mut next = Vec::new();
        let after = (held & !clears) | sets;
        match instr.op {
            Op::Goto(_) => {}
            Op::Exit => {}
            _ => next.push((pc + 1, after)),
        }
        if let Some(l) = instr.op.label() {
            // A failed try-lock does not take the lock.
            let on_jump = match instr.op {
                Op::MmapReadTrylock { .. }
                | Op::LockVmaUnderRcu { .. }
                | Op::VmaStartRead { .. }
                | Op::FolioTrylock { .. } => held & !clears,
                _ => after,
            };
            next.push((usize::from(program.target(l)), on_jump));
        }
        for (t, s) in next {
            if t > n {
                continue;
            }
            let merged = state[t].map_or(s, |o| o | s);
            if state[t] != Some(merged) {
                state[t] = Some(merged);
                work.push(t);
            }
        }
    }
    Ok(())
}
