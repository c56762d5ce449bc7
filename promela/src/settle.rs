//! The local ops a step runs after its visible op (`Machine::settle`), worked out at
//! export time: they read only the thread's own flags, so for each flag value the path
//! through them, and the registers left afterwards, are constants of the model.

use faultline_protocol::{Flag, Op, Program, ThreadState};

use crate::error::ExportError;

/// Where a thread ends up after its local ops, for one value of its flag register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Settled {
    /// The next visible op (the program length once exited).
    pub pc: u8,
    /// The flag register afterwards, dead bits cleared.
    pub flags: u8,
    /// The VMA handle is dead at `pc` (or the thread exited): cleared.
    pub clear_vma: bool,
    /// The thread ran `Exit`: the folio handle is cleared too.
    pub exited: bool,
    /// The path ran `VM_FAULT_RETRY`, which records `Hazard::RetryHeld` when a lock is
    /// still held.
    pub retry: bool,
}

/// Every flag register value (`FAULT_FLAG_TRIED`, `VM_FAULT_MAJOR`).
pub(crate) const FLAG_VALUES: [u8; 4] = [0, 1, 2, 3];

/// The bit of `flag` in the register (`ThreadState::set` is its one definition).
fn bit(flag: Flag) -> u8 {
    let mut t = ThreadState::default();
    t.set(flag, true);
    t.flags
}

/// Runs `prog`'s local ops from `pc` with flag register `flags`, as `Machine::settle`
/// does after every step.
pub(crate) fn settle(
    prog: &Program,
    thread: &str,
    pc: u8,
    mut flags: u8,
) -> Result<Settled, ExportError> {
    let mut at = pc;
    let mut exited = false;
    let mut retry = false;
    for _ in 0..=prog.len() {
        let Some(instr) = prog.get(at).filter(|i| i.op.is_local()) else {
            let live_vma = prog.vma_live(at);
            return Ok(Settled {
                pc: at,
                flags: flags & prog.flags_live(at),
                clear_vma: exited || !live_vma,
                exited,
                retry,
            });
        };
        let mut next = at + 1;
        match instr.op {
            Op::SetFlag(f) => flags |= bit(f),
            Op::ClearFlag(f) => flags &= !bit(f),
            Op::IfFlag { flag, then } => {
                if flags & bit(flag) != 0 {
                    next = prog.target(then);
                }
            }
            Op::Goto(l) => next = prog.target(l),
            Op::FaultRetry => retry = true,
            Op::Exit => {
                next = prog.exit_pc();
                flags = 0;
                exited = true;
            }
            op => {
                return Err(ExportError::Unsupported {
                    thread: thread.to_string(),
                    op: op.kernel_name(),
                    pc: at,
                    reason: "a local op the exporter does not know",
                });
            }
        }
        at = next;
    }
    Err(ExportError::LocalLoop {
        thread: thread.to_string(),
        pc,
    })
}

/// A settled result for a set of flag values: the same path, and flags afterwards
/// `(flags | set) & keep`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    /// Where the path ends and what it clears.
    pub settled: Settled,
    /// Flag bits the path sets.
    pub set: u8,
    /// Flag bits that survive.
    pub keep: u8,
}

/// The settled results for every flag value, grouped: each distinct path with the flag
/// values that take it and its effect on the flags as one expression.
pub(crate) fn grouped(
    prog: &Program,
    thread: &str,
    pc: u8,
) -> Result<Vec<(Group, Vec<u8>)>, ExportError> {
    let mut raw = Vec::new();
    for f in FLAG_VALUES {
        raw.push((f, settle(prog, thread, pc, f)?));
    }
    let path = |s: &Settled| (s.pc, s.clear_vma, s.exited, s.retry);
    let mut groups: Vec<(Group, Vec<u8>)> = Vec::new();
    let mut paths: Vec<_> = raw.iter().map(|(_, s)| path(s)).collect();
    paths.dedup();
    let mut seen = Vec::new();
    for p in paths {
        if seen.contains(&p) {
            continue;
        }
        seen.push(p);
        let members: Vec<(u8, Settled)> =
            raw.iter().copied().filter(|(_, s)| path(s) == p).collect();
        // One (set, keep) for all members if there is one, identity first.
        let fit = (0..16u8)
            .map(|x| ((x >> 2) & 3, !x & 3))
            .find(|&(set, keep)| members.iter().all(|&(f, s)| (f | set) & keep == s.flags));
        match fit {
            Some((set, keep)) => groups.push((
                Group {
                    settled: members[0].1,
                    set,
                    keep,
                },
                members.iter().map(|&(f, _)| f).collect(),
            )),
            None => {
                for (f, s) in members {
                    groups.push((
                        Group {
                            settled: s,
                            set: s.flags,
                            keep: s.flags,
                        },
                        vec![f],
                    ));
                }
            }
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use faultline_protocol::{Flag, Op, ProgramBuilder, VmaId};

    use super::*;

    #[test]
    fn a_flag_test_splits_the_path_and_a_flag_set_becomes_one_expression() {
        let mut b = ProgramBuilder::new("test");
        let tried = b.label();
        b.op(Op::MmapReadLock); // 0
        b.op(Op::SetFlag(Flag::Major)); // 1
        b.op(Op::IfFlag {
            flag: Flag::Tried,
            then: tried,
        }); // 2
        b.op(Op::MmapReadUnlock); // 3
        b.place(tried).op(Op::FindVma {
            vma: VmaId(0),
            missing: tried,
        }); // 4
        b.op(Op::IfFlag {
            flag: Flag::Major,
            then: tried,
        }); // 5
        let p = b.build().expect("placed");
        let groups = grouped(&p, "T0", 1).expect("no loop");
        // Two paths: TRIED clear stops at 3, set at 4.
        let pcs: Vec<(u8, Vec<u8>)> = groups
            .iter()
            .map(|(g, f)| (g.settled.pc, f.clone()))
            .collect();
        assert_eq!(pcs, vec![(3, vec![0, 2]), (4, vec![1, 3])]);
        // Both set MAJOR, and MAJOR is read again only after 4.
        for (g, _) in &groups {
            assert_eq!(g.set & 2, 2);
        }
    }

    #[test]
    fn a_jump_loop_without_a_visible_op_is_an_error_not_a_hang() {
        let mut b = ProgramBuilder::new("test");
        let top = b.here();
        b.op(Op::Goto(top));
        let p = b.build().expect("placed");
        assert!(matches!(
            settle(&p, "T0", 0, 0),
            Err(ExportError::LocalLoop { pc: 0, .. })
        ));
    }
}
