//! Kernel bug patterns the step function notices as they happen.
//!
//! Some properties are about a *step*, not a state: a VMA reader calling the blocking
//! `mmap_read_lock`, a fault returning `VM_FAULT_RETRY` with a lock still held, a
//! dereference of a VMA whose lock was dropped, a PTE change while fork copies the VMA.
//! The interpreter records each as a sticky bit in the world, so every engine sees it
//! through the one state evaluator, and the shortest trace to the bit is the shortest
//! trace to the bug.

/// One bug pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hazard {
    /// A thread holding a VMA read lock called `mmap_read_lock`/`mmap_write_lock`
    /// (kernel-semantics 1.2 fact 4: a VMA reader may only `mmap_read_trylock`, or it
    /// deadlocks against a writer in `vma_start_write`).
    LockOrder,
    /// A fault returned `VM_FAULT_RETRY` still holding a VMA read lock or `mmap_lock`
    /// ("RETRY means dropped", since 6.6).
    RetryHeld,
    /// A thread dereferenced a VMA it does not pin: its lock was dropped, or the VMA was
    /// detached (freed, maybe reused) since the thread found it.
    VmaUse,
    /// A fault changed a PTE of a VMA while `dup_mmap` was copying that VMA's page
    /// tables (the 6.4 race fixed by fb49c455323f).
    ForkCopy,
}

impl Hazard {
    /// Every hazard.
    pub const ALL: [Hazard; 4] = [
        Hazard::LockOrder,
        Hazard::RetryHeld,
        Hazard::VmaUse,
        Hazard::ForkCopy,
    ];

    /// The bit in [`crate::World::hazards`].
    pub fn bit(self) -> u8 {
        match self {
            Hazard::LockOrder => 1,
            Hazard::RetryHeld => 2,
            Hazard::VmaUse => 4,
            Hazard::ForkCopy => 8,
        }
    }

    /// What happened, in a few words.
    pub fn describe(self) -> &'static str {
        match self {
            Hazard::LockOrder => "a VMA reader blocks on mmap_lock",
            Hazard::RetryHeld => "VM_FAULT_RETRY returned with a lock held",
            Hazard::VmaUse => "a VMA used after its lock was dropped or it was freed",
            Hazard::ForkCopy => "a PTE changed while fork copies the VMA",
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::*;

    const V0: VmaId = VmaId(0);

    /// A machine of `programs` (fault threads) over one VMA and one folio.
    fn machine(programs: Vec<ProgramBuilder>, anon_vma: bool, folio: FolioStart) -> Machine {
        let threads = programs
            .into_iter()
            .enumerate()
            .map(|(i, b)| ThreadSpec {
                name: format!("t{i}"),
                program: b.build().expect("placed"),
                role: Role::Fault,
                process: Default::default(),
            })
            .collect();
        let vmas = vec![VmaSpec {
            name: "A".into(),
            kind: VmaKind::Anon,
            anon_vma,
            copy_on_fork: false,
        }];
        let folios = vec![FolioSpec {
            name: "f".into(),
            backend: Backend::Disk,
            start: folio,
        }];
        Machine::new(threads, vmas, folios, Admission::Fair, Reclaim::Bounded(0)).expect("valid")
    }

    fn ops(list: &[Op]) -> ProgramBuilder {
        let mut b = ProgramBuilder::new("test");
        let out = b.label();
        for &op in list {
            b.op(op);
        }
        // Labels in `list` all point past its end.
        b.place(out).op(Op::Exit);
        b
    }

    /// Runs thread `t` for `n` steps.
    fn steps(m: &Machine, mut w: World, t: u8, n: usize) -> World {
        for _ in 0..n {
            w = m
                .apply(
                    &w,
                    Step::Thread {
                        tid: Tid(t),
                        choice: 0,
                    },
                )
                .expect("enabled");
        }
        w
    }

    const FAIL: Label = Label(0);

    #[test]
    fn a_vma_reader_calling_mmap_read_lock_breaks_lock_order_and_trylock_does_not() {
        let lock = ops(&[
            Op::LockVmaUnderRcu {
                vma: V0,
                fail: FAIL,
            },
            Op::MmapReadLock,
        ]);
        let m = machine(vec![lock], false, FolioStart::Absent);
        let w = steps(&m, m.initial(), 0, 2);
        assert!(w.has(Hazard::LockOrder));
        let trylock = ops(&[
            Op::LockVmaUnderRcu {
                vma: V0,
                fail: FAIL,
            },
            Op::MmapReadTrylock { fail: FAIL },
        ]);
        let m = machine(vec![trylock], false, FolioStart::Absent);
        let w = steps(&m, m.initial(), 0, 2);
        assert!(!w.has(Hazard::LockOrder));
    }

    #[test]
    fn returning_retry_with_the_vma_lock_held_is_recorded() {
        // FaultRetry is local: it runs inside the step before it.
        let leak = ops(&[
            Op::LockVmaUnderRcu {
                vma: V0,
                fail: FAIL,
            },
            Op::FaultRetry,
        ]);
        let m = machine(vec![leak], false, FolioStart::Absent);
        assert!(steps(&m, m.initial(), 0, 1).has(Hazard::RetryHeld));
        let dropped = ops(&[
            Op::LockVmaUnderRcu {
                vma: V0,
                fail: FAIL,
            },
            Op::VmaEndRead,
            Op::FaultRetry,
        ]);
        let m = machine(vec![dropped], false, FolioStart::Absent);
        assert!(!steps(&m, m.initial(), 0, 2).has(Hazard::RetryHeld));
    }

    #[test]
    fn touching_the_vma_after_vma_end_read_is_a_use_after_drop() {
        let uaf = ops(&[
            Op::LockVmaUnderRcu {
                vma: V0,
                fail: FAIL,
            },
            Op::VmaEndRead,
            Op::MapAnon,
        ]);
        let m = machine(vec![uaf], true, FolioStart::Absent);
        let w = steps(&m, m.initial(), 0, 2);
        assert!(!w.has(Hazard::VmaUse), "dropping is fine");
        assert!(steps(&m, w, 0, 1).has(Hazard::VmaUse));
    }

    #[test]
    fn munmap_leaves_other_handles_dangling_and_relocking_one_is_a_use_after_free() {
        // t0 drops its lock and keeps the pointer; t1 munmaps and mmaps the address
        // again (the slot, like SLAB_TYPESAFE_BY_RCU memory, is reused); t0 relocks.
        let keep = ops(&[
            Op::LockVmaUnderRcu {
                vma: V0,
                fail: FAIL,
            },
            Op::VmaEndRead,
            Op::VmaStartRead { fail: FAIL },
            Op::VmaEndRead,
        ]);
        let munmap_mmap = ops(&[
            Op::MmapWriteLock,
            Op::VmaStartWrite { vma: V0 },
            Op::VmaMarkDetached { vma: V0 },
            Op::MmapRegion { vma: V0 },
            Op::MmapWriteUnlock,
        ]);
        let m = machine(vec![keep, munmap_mmap], false, FolioStart::Absent);
        let w = steps(&m, m.initial(), 0, 2);
        let w = steps(&m, w, 1, 3);
        assert!(
            w.thread(Tid(0)).stale,
            "the handle dangles after the detach"
        );
        let w = steps(&m, w, 1, 2);
        assert!(w.vma(V0).attached, "mmap_region attached a new VMA there");
        let w = steps(&m, w, 0, 1);
        assert!(w.has(Hazard::VmaUse));
        assert!(w.vma(V0).readers.contains(Tid(0)), "and locked the new VMA");
    }

    #[test]
    fn a_pte_change_while_fork_copies_an_anon_vma_is_the_fork_copy_race() {
        let fork = ops(&[
            Op::MmapWriteLock,
            Op::CopyPageRange { vma: V0 },
            Op::CopyPageRangeEnd { vma: V0 },
            Op::MmapWriteUnlock,
        ]);
        let fault = ops(&[
            Op::LockVmaUnderRcu {
                vma: V0,
                fail: FAIL,
            },
            Op::MapAnon,
        ]);
        // With an anon_vma, copy_page_range copies PTEs: the fault races it.
        let m = machine(vec![fork, fault], true, FolioStart::Absent);
        let w = steps(&m, m.initial(), 0, 2);
        assert!(w.vma(V0).copying);
        assert!(steps(&m, w, 1, 2).has(Hazard::ForkCopy));
        // After the copy ends there is nothing to race.
        let w = steps(&m, m.initial(), 0, 3);
        assert!(!steps(&m, w, 1, 2).has(Hazard::ForkCopy));
    }

    /// Hz9: MADV_GUARD_INSTALL under the VMA read lock on a VMA without an anon_vma.
    /// Its VM_MAYBE_GUARD makes vma_needs_copy copy the PTEs, so the marker write races
    /// a copy that started after the flag, and not one that started before it (the
    /// child's VMA was duplicated without the flag, so nothing is copied).
    #[test]
    fn a_guard_marker_write_races_a_copy_that_saw_vm_maybe_guard() {
        let fork = ops(&[
            Op::MmapWriteLock,
            Op::CopyPageRange { vma: V0 },
            Op::CopyPageRangeEnd { vma: V0 },
            Op::MmapWriteUnlock,
        ]);
        let guard = ops(&[
            Op::LockVmaUnderRcu {
                vma: V0,
                fail: FAIL,
            },
            Op::VmaSetMaybeGuard,
            Op::GuardInstallPte,
        ]);
        let m = machine(vec![fork, guard], false, FolioStart::Absent);
        let w = steps(&m, m.initial(), 1, 2);
        assert!(w.vma(V0).copy_on_fork);
        let w = steps(&m, w, 0, 2);
        assert!(w.vma(V0).copies_ptes);
        assert!(steps(&m, w, 1, 1).has(Hazard::ForkCopy));
        // Copy first, flag after: the child's VMA has no VM_COPY_ON_FORK.
        let w = steps(&m, m.initial(), 1, 1);
        let w = steps(&m, w, 0, 2);
        assert!(!w.vma(V0).copies_ptes);
        assert!(!steps(&m, w, 1, 2).has(Hazard::ForkCopy));
    }

    #[test]
    fn a_writer_behind_a_reader_that_sleeps_on_read_io_waits_on_io() {
        let mut reader = ProgramBuilder::new("test");
        let fail = reader.label();
        reader
            .op(Op::LockVmaUnderRcu { vma: V0, fail })
            .op(Op::SyncMmapReadahead { folio: FolioId(0) })
            .op(Op::FolioLock);
        reader.place(fail).op(Op::Exit);
        let writer = ops(&[Op::MmapWriteLock, Op::VmaStartWrite { vma: V0 }]);
        let m = machine(vec![reader, writer], false, FolioStart::Absent);
        let w = steps(&m, m.initial(), 0, 2);
        let w = steps(&m, w, 1, 2);
        assert_eq!(
            m.waits(&w, Tid(0)),
            Some(Waits {
                threads: ThreadSet::EMPTY,
                io: true
            })
        );
        assert_eq!(m.waits_on_io(&w, Tid(1)), Some(vec![Tid(1), Tid(0)]));
    }

    #[test]
    fn folio_wait_locked_sleeps_until_the_read_completes_without_taking_the_lock() {
        let waiter = ops(&[Op::FolioWaitLocked { folio: FolioId(0) }]);
        let m = machine(vec![waiter], false, FolioStart::Reading);
        let w = m.initial();
        assert_eq!(m.blocked_on(&w, Tid(0)), Some(WaitOn::Folio(FolioId(0))));
        let w = m
            .apply(&w, Step::IoDone(FolioId(0)))
            .expect("disk completes");
        let w = steps(&m, w, 0, 1);
        assert_eq!(w.folio(FolioId(0)).state, FolioState::Uptodate);
        assert!(m.all_done(&w));
    }
}
