//! Register liveness: which registers a thread may still read before overwriting them.
//!
//! After every step the machine clears dead registers (a stale VMA handle nobody will
//! read, a `VM_FAULT_MAJOR` bit the arch code has already looked at), so states that
//! differ only in dead registers are one state. A handle that a later op *does* read,
//! such as a design reusing `vmf->vma` after dropping its lock, stays live and visible.
//! The folio handle is not subject to this: it mirrors a held reference.

use crate::program::{Instr, Op};

/// Per-pc liveness, computed once per program by a backward dataflow fixpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Liveness {
    vma: Vec<bool>,
    flags: Vec<u8>,
}

/// What one op reads, and what it overwrites on its fall-through and jump edges.
struct Effect {
    uses_vma: bool,
    uses_flags: u8,
    kills_vma: (bool, bool),
    kills_flags: u8,
}

fn effect(op: &Op) -> Effect {
    let mut e = Effect {
        uses_vma: false,
        uses_flags: 0,
        kills_vma: (false, false),
        kills_flags: 0,
    };
    match *op {
        Op::VmaEndRead
        | Op::VmaStartRead { .. }
        | Op::IfAnonVma { vma: None, .. }
        | Op::AnonVmaPrepare
        | Op::MapPte
        | Op::MapAnon
        | Op::VmaSetMaybeGuard
        | Op::GuardInstallPte => e.uses_vma = true,
        // Sets the handle on success only; a failed try leaves the old value.
        Op::LockVmaUnderRcu { .. } => e.kills_vma = (true, false),
        Op::FindVma { .. } => e.kills_vma = (true, true),
        Op::IfFlag { flag, .. } => e.uses_flags = flag.bit(),
        Op::SetFlag(flag) | Op::ClearFlag(flag) => e.kills_flags = flag.bit(),
        _ => {}
    }
    e
}

impl Liveness {
    /// Computes liveness for `instrs` with resolved label `targets`.
    pub(crate) fn of(instrs: &[Instr], targets: &[u8]) -> Liveness {
        let n = instrs.len();
        let mut vma = vec![false; n + 1];
        let mut flags = vec![0u8; n + 1];
        let mut changed = true;
        while changed {
            changed = false;
            for pc in (0..n).rev() {
                let op = &instrs[pc].op;
                let e = effect(op);
                let falls = !matches!(op, Op::Goto(_) | Op::Exit);
                let jump = op.label().map(|l| usize::from(targets[usize::from(l.0)]));
                let mut v = e.uses_vma;
                let mut f = e.uses_flags;
                if falls {
                    v |= vma[pc + 1] && !e.kills_vma.0;
                    f |= flags[pc + 1] & !e.kills_flags;
                }
                if let Some(j) = jump {
                    v |= vma[j] && !e.kills_vma.1;
                    f |= flags[j] & !e.kills_flags;
                }
                if (v, f) != (vma[pc], flags[pc]) {
                    (vma[pc], flags[pc]) = (v, f);
                    changed = true;
                }
            }
        }
        Liveness { vma, flags }
    }

    /// Whether the VMA handle may be read from `pc` on.
    pub(crate) fn vma(&self, pc: u8) -> bool {
        self.vma.get(usize::from(pc)).copied().unwrap_or(false)
    }

    /// The flag bits that may be read from `pc` on.
    pub(crate) fn flags(&self, pc: u8) -> u8 {
        self.flags.get(usize::from(pc)).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::VmaId;
    use crate::program::{Flag, Op, ProgramBuilder};

    #[test]
    fn a_handle_is_live_until_its_last_read_and_flags_until_tested() {
        let mut b = ProgramBuilder::new("test");
        let fail = b.label();
        b.op(Op::SetFlag(Flag::Major)); // 0
        b.op(Op::LockVmaUnderRcu {
            vma: VmaId(0),
            fail,
        }); // 1
        b.op(Op::MapAnon); // 2: reads the handle
        b.op(Op::MmapReadLock); // 3: handle dead from here
        b.place(fail).op(Op::IfFlag {
            flag: Flag::Major,
            then: fail,
        }); // 4
        b.op(Op::Exit); // 5
        let p = b.build().expect("placed");
        let live = p.live_regs();
        assert!(live.vma(2), "read at 2");
        assert!(!live.vma(3) && !live.vma(4), "never read again");
        assert!(!live.vma(1), "overwritten on success, unread on failure");
        assert_eq!(
            live.flags(1) & Flag::Major.bit(),
            Flag::Major.bit(),
            "tested at 4"
        );
        assert_eq!(live.flags(0), 0, "set at 0 before any test");
    }
}
