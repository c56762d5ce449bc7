//! Step-function tests: each pins one kernel behaviour through `Machine::apply`.

use crate::*;

fn prog(ops: &[Op]) -> Program {
    let mut b = ProgramBuilder::new("test");
    for &op in ops {
        b.op(op);
    }
    b.build().expect("no labels")
}

fn thread(name: &str, ops: &[Op]) -> ThreadSpec {
    ThreadSpec {
        name: name.into(),
        program: prog(ops),
        role: Role::Fault,
        process: Default::default(),
    }
}

/// `lock_vma_under_rcu(V0)`, then `then` on success; on failure, exit.
fn try_vma(name: &str, then: &[Op]) -> ThreadSpec {
    let mut b = ProgramBuilder::new("test");
    let fail = b.label();
    b.op(Op::LockVmaUnderRcu { vma: V0, fail });
    for &op in then {
        b.op(op);
    }
    b.place(fail).op(Op::Exit);
    ThreadSpec {
        name: name.into(),
        program: b.build().expect("placed"),
        role: Role::Fault,
        process: Default::default(),
    }
}

fn vma(name: &str, kind: VmaKind) -> VmaSpec {
    VmaSpec {
        name: name.into(),
        kind,
        anon_vma: false,
        copy_on_fork: false,
    }
}

fn machine(threads: Vec<ThreadSpec>, vmas: Vec<VmaSpec>, folios: Vec<FolioSpec>) -> Machine {
    Machine::new(threads, vmas, folios, Admission::Fair, Reclaim::Bounded(1)).expect("valid")
}

fn run(m: &Machine, w: &World, t: u8) -> World {
    m.apply(
        w,
        Step::Thread {
            tid: Tid(t),
            choice: 0,
        },
    )
    .expect("enabled")
}

/// Asserts thread `t`'s next step is refused as a misuse of `op`.
fn assert_misuse(m: &Machine, w: &World, t: u8, op: &str) {
    match m.apply(
        w,
        Step::Thread {
            tid: Tid(t),
            choice: 0,
        },
    ) {
        Err(ModelError::Misuse { op: got, .. }) if got == op => {}
        other => panic!("expected a misuse of {op}, got {other:?}"),
    }
}

const V0: VmaId = VmaId(0);
const F0: FolioId = FolioId(0);

#[test]
fn a_vma_write_lock_ends_only_at_mmap_write_unlock() {
    let m = machine(
        vec![
            thread(
                "writer",
                &[
                    Op::MmapWriteLock,
                    Op::VmaStartWrite { vma: V0 },
                    Op::MmapWriteUnlock,
                ],
            ),
            try_vma("fault", &[Op::VmaEndRead]),
        ],
        vec![vma("A", VmaKind::Anon)],
        vec![],
    );
    let mut w = run(&m, &m.initial(), 0);
    w = run(&m, &w, 0);
    assert!(w.vma(V0).write_locked);
    let failed = run(&m, &w, 1);
    assert_eq!(
        m.status(&failed, Tid(1)),
        Status::Exited,
        "lock_vma_under_rcu failed"
    );
    assert!(failed.vma(V0).readers.is_empty());
    w = run(&m, &w, 0);
    assert!(
        !w.vma(V0).write_locked,
        "mmap_write_unlock -> vma_end_write_all"
    );
    let w = run(&m, &w, 1);
    assert!(w.vma(V0).readers.contains(Tid(1)), "and now it succeeds");
}

#[test]
fn mmap_write_downgrade_ends_vma_write_locks_too() {
    let m = machine(
        vec![thread(
            "munmap",
            &[
                Op::MmapWriteLock,
                Op::VmaStartWrite { vma: V0 },
                Op::MmapWriteDowngrade,
            ],
        )],
        vec![vma("A", VmaKind::Anon)],
        vec![],
    );
    let w = (0..3).fold(m.initial(), |w, _| run(&m, &w, 0));
    assert!(!w.vma(V0).write_locked);
    assert!(w.mmap.readers().contains(Tid(0)));
}

#[test]
fn vma_start_write_without_mmap_write_lock_is_a_model_error() {
    let m = machine(
        vec![thread(
            "bad",
            &[Op::MmapReadLock, Op::VmaStartWrite { vma: V0 }],
        )],
        vec![vma("A", VmaKind::Anon)],
        vec![],
    );
    let w = run(&m, &m.initial(), 0);
    assert_misuse(&m, &w, 0, "vma_start_write");
}

#[test]
fn a_queued_writer_blocks_a_new_mmap_read_lock_and_the_grant_moves_the_reader_on() {
    let m = machine(
        vec![
            thread("r0", &[Op::MmapReadLock, Op::MmapReadUnlock]),
            thread("w", &[Op::MmapWriteLock, Op::MmapWriteUnlock]),
            thread("r1", &[Op::MmapReadLock, Op::Exit]),
        ],
        vec![],
        vec![],
    );
    let mut w = run(&m, &m.initial(), 0); // r0 holds
    w = run(&m, &w, 1); // w queues
    w = run(&m, &w, 2); // r1 queues behind w
    assert_eq!(
        m.status(&w, Tid(2)),
        Status::Blocked(WaitOn::MmapLock(Mode::Read))
    );
    assert_eq!(
        m.status(&w, Tid(1)),
        Status::Blocked(WaitOn::MmapLock(Mode::Write))
    );
    w = run(&m, &w, 0); // r0 unlocks: the writer at the head is woken
    assert_eq!(m.status(&w, Tid(1)), Status::Ready { choices: 1 });
    assert_eq!(
        m.status(&w, Tid(2)),
        Status::Blocked(WaitOn::MmapLock(Mode::Read))
    );
    w = run(&m, &w, 1); // writer takes it
    w = run(&m, &w, 1); // up_write grants r1 (rwsem_mark_wake)
    assert!(w.mmap.readers().contains(Tid(2)));
    // The granted reader returned from mmap_read_lock and ran its local exit.
    assert_eq!(m.status(&w, Tid(2)), Status::Exited);
}

#[test]
fn lock_vma_under_rcu_fails_while_a_writer_excludes_readers() {
    let m = machine(
        vec![
            try_vma("r0", &[Op::VmaEndRead]),
            thread("w", &[Op::MmapWriteLock, Op::VmaStartWrite { vma: V0 }]),
            try_vma("r1", &[Op::Exit]),
        ],
        vec![vma("A", VmaKind::Anon)],
        vec![],
    );
    let mut w = run(&m, &m.initial(), 0); // r0 read-locks
    w = run(&m, &w, 1);
    w = run(&m, &w, 1); // writer starts excluding, waits for r0
    assert_eq!(
        m.status(&w, Tid(1)),
        Status::Blocked(WaitOn::VmaReaders(V0))
    );
    w = run(&m, &w, 2); // r1 fails at once
    assert_eq!(
        m.status(&w, Tid(2)),
        Status::Exited,
        "failed and took the exit path"
    );
    assert!(w.vma(V0).readers == ThreadSet(1), "only r0 reads");
    w = run(&m, &w, 0); // r0 leaves; the writer can finish
    assert_eq!(m.status(&w, Tid(1)), Status::Ready { choices: 1 });
}

#[test]
fn waiting_for_read_io_is_waiting_on_the_folio_lock() {
    let m = machine(
        vec![thread(
            "fault",
            &[
                Op::SyncMmapReadahead { folio: F0 },
                Op::FolioLock,
                Op::FolioUnlock,
                Op::FolioPut,
            ],
        )],
        vec![],
        vec![FolioSpec {
            name: "f".into(),
            backend: Backend::Disk,
            start: FolioStart::Absent,
        }],
    );
    let w = run(&m, &m.initial(), 0);
    assert_eq!(m.status(&w, Tid(0)), Status::Blocked(WaitOn::Folio(F0)));
    let mut steps = Vec::new();
    m.enabled(&w, &mut steps);
    assert_eq!(
        steps,
        vec![Step::IoDone(F0)],
        "referenced, locked: no eviction"
    );
    let w = m.apply(&w, Step::IoDone(F0)).expect("disk completes");
    let w = run(&m, &w, 0);
    assert_eq!(w.folio(F0).state, FolioState::Locked(Tid(0)));
    let w = run(&m, &run(&m, &w, 0), 0);
    m.enabled(&w, &mut steps);
    assert_eq!(
        steps,
        vec![Step::Evict(F0)],
        "unlocked, unreferenced, uptodate: evictable"
    );
    let w = m.apply(&w, Step::Evict(F0)).expect("one eviction allowed");
    assert_eq!(w.folio(F0).state, FolioState::Absent);
    m.enabled(&w, &mut steps);
    assert!(steps.is_empty(), "eviction budget spent");
}

#[test]
fn the_fuse_server_completes_the_read_only_by_its_own_steps() {
    let server = ThreadSpec {
        name: "fuse".into(),
        program: prog(&[Op::FuseDevRead, Op::FuseDevWrite, Op::Exit]),
        role: Role::Server,
        process: Default::default(),
    };
    let m = machine(
        vec![
            thread(
                "fault",
                &[Op::SyncMmapReadahead { folio: F0 }, Op::FolioLock],
            ),
            server,
        ],
        vec![],
        vec![FolioSpec {
            name: "f".into(),
            backend: Backend::Fuse,
            start: FolioStart::Absent,
        }],
    );
    assert_eq!(m.status(&m.initial(), Tid(1)), Status::Idle);
    let w = run(&m, &m.initial(), 0);
    let mut steps = Vec::new();
    m.enabled(&w, &mut steps);
    assert_eq!(
        steps,
        vec![Step::Thread {
            tid: Tid(1),
            choice: 0
        }],
        "no disk step for FUSE"
    );
    let w = run(&m, &run(&m, &w, 1), 1);
    assert_eq!(w.folio(F0).state, FolioState::Uptodate);
    assert_eq!(m.status(&w, Tid(0)), Status::Ready { choices: 1 });
}

#[test]
fn a_step_that_is_not_enabled_is_refused() {
    let m = machine(
        vec![thread("t", &[Op::MmapReadLock, Op::Exit])],
        vec![],
        vec![],
    );
    let w = run(&m, &m.initial(), 0);
    assert_eq!(m.status(&w, Tid(0)), Status::Exited);
    assert!(matches!(
        m.apply(
            &w,
            Step::Thread {
                tid: Tid(0),
                choice: 0
            }
        ),
        Err(ModelError::NotEnabled { .. })
    ));
    assert!(m.apply(&w, Step::IoDone(F0)).is_err());
    assert!(
        m.apply(
            &w,
            Step::Thread {
                tid: Tid(7),
                choice: 0
            }
        )
        .is_err()
    );
    assert!(
        m.apply(
            &w,
            Step::Thread {
                tid: Tid(0),
                choice: 1
            }
        )
        .is_err()
    );
}

#[test]
fn a_program_naming_a_missing_vma_is_refused_up_front() {
    let err = Machine::new(
        vec![thread(
            "t",
            &[Op::MmapWriteLock, Op::VmaStartWrite { vma: VmaId(3) }],
        )],
        vec![],
        vec![],
        Admission::Fair,
        Reclaim::Bounded(0),
    );
    assert!(matches!(
        err,
        Err(ModelError::NoSuchObject {
            what: "VMA",
            index: 3,
            ..
        })
    ));
}

#[test]
fn packed_worlds_round_trip() {
    let m = machine(
        vec![
            thread("a", &[Op::MmapReadLock]),
            thread("b", &[Op::MmapWriteLock]),
        ],
        vec![vma("A", VmaKind::Anon), vma("F", VmaKind::PrivateFile)],
        vec![FolioSpec {
            name: "f".into(),
            backend: Backend::Disk,
            start: FolioStart::Cached,
        }],
    );
    let w = run(&m, &run(&m, &m.initial(), 0), 1);
    let mut bytes = Vec::new();
    w.pack(m.shape(), &mut bytes);
    assert_eq!(bytes.len(), m.shape().packed_len());
    assert_eq!(World::unpack(m.shape(), &bytes, &m.initial()), w);
}

#[test]
fn flag_and_jump_instructions_run_inside_the_step_before_them() {
    let mut b = ProgramBuilder::new("test");
    let skip = b.label();
    b.op(Op::SetFlag(Flag::Tried)).op(Op::MmapReadLock);
    b.op(Op::IfFlag {
        flag: Flag::Tried,
        then: skip,
    })
    .op(Op::MmapReadUnlock);
    b.place(skip)
        .op(Op::ClearFlag(Flag::Tried))
        .op(Op::MmapReadUnlock)
        .op(Op::Exit);
    let t = ThreadSpec {
        name: "t".into(),
        program: b.build().expect("placed"),
        role: Role::Fault,
        process: Default::default(),
    };
    let m = machine(vec![t], vec![], vec![]);
    // The initial state already ran SetFlag: the thread sits at mmap_read_lock.
    assert_eq!(m.initial().thread(Tid(0)).pc, 1);
    assert!(m.initial().thread(Tid(0)).has(Flag::Tried));
    let w = run(&m, &m.initial(), 0);
    assert_eq!(
        w.thread(Tid(0)).pc,
        5,
        "IfFlag and ClearFlag ran with the lock step"
    );
    assert!(!w.thread(Tid(0)).has(Flag::Tried));
    let w = run(&m, &w, 0);
    assert_eq!(
        m.status(&w, Tid(0)),
        Status::Exited,
        "Exit ran with the unlock"
    );
    assert_eq!(
        w.thread(Tid(0)),
        &ThreadState {
            pc: 7,
            ..ThreadState::default()
        }
    );
}

#[test]
fn a_loop_of_local_instructions_is_a_model_error() {
    let mut b = ProgramBuilder::new("test");
    let top = b.here();
    b.op(Op::Goto(top));
    let t = ThreadSpec {
        name: "spin".into(),
        program: b.build().expect("placed"),
        role: Role::Fault,
        process: Default::default(),
    };
    let err = Machine::new(
        vec![t],
        vec![],
        vec![],
        Admission::Fair,
        Reclaim::Bounded(0),
    );
    assert!(matches!(err, Err(ModelError::LocalLoop { .. })), "{err:?}");
}

#[test]
fn a_detached_vma_fails_lock_vma_under_rcu_and_find_vma() {
    let munmap = thread(
        "munmap",
        &[
            Op::MmapWriteLock,
            Op::VmaStartWrite { vma: V0 },
            Op::VmaMarkDetached { vma: V0 },
        ],
    );
    let mut b = ProgramBuilder::new("test");
    let fallback = b.label();
    let segv = b.label();
    b.op(Op::LockVmaUnderRcu {
        vma: V0,
        fail: fallback,
    })
    .op(Op::Exit);
    b.place(fallback)
        .op(Op::MmapReadLock)
        .op(Op::FindVma {
            vma: V0,
            missing: segv,
        })
        .op(Op::Exit);
    b.place(segv).op(Op::MmapReadUnlock).op(Op::Exit);
    let fault = ThreadSpec {
        name: "fault".into(),
        program: b.build().expect("placed"),
        role: Role::Fault,
        process: Default::default(),
    };
    let m = machine(
        vec![munmap, fault],
        vec![vma("F", VmaKind::PrivateFile)],
        vec![],
    );
    let mut w = (0..3).fold(m.initial(), |w, _| run(&m, &w, 0));
    assert!(!w.vma(V0).attached);
    w = run(&m, &w, 1);
    assert_eq!(w.thread(Tid(1)).pc, 2, "fell back to mmap_read_lock");
    w = run(&m, &w, 1); // queues behind the munmap writer
    assert_eq!(
        m.status(&w, Tid(1)),
        Status::Blocked(WaitOn::MmapLock(Mode::Read))
    );
    let mut unlock = w;
    unlock.mmap.up_write(Tid(0)).expect("writer");
    unlock.threads[1].pc = 3; // granted, as mmap_write_unlock would
    unlock.mmap = {
        let mut l = RwSem::default();
        l.read_trylock(Tid(1));
        l
    };
    let w = run(&m, &unlock, 1);
    assert_eq!(
        w.thread(Tid(1)).pc,
        5,
        "find_vma misses: at the bad_area unlock"
    );
    assert_eq!(w.thread(Tid(1)).vma, None);
}

#[test]
fn handoff_is_a_step_only_when_stealing_is_modelled() {
    let threads = || {
        vec![
            thread("r", &[Op::MmapReadLock, Op::MmapReadUnlock]),
            thread("w", &[Op::MmapWriteLock, Op::MmapWriteUnlock]),
        ]
    };
    for (admission, expect) in [(Admission::Fair, false), (Admission::Steal, true)] {
        let m =
            Machine::new(threads(), vec![], vec![], admission, Reclaim::Bounded(0)).expect("valid");
        let w = run(&m, &run(&m, &m.initial(), 0), 1); // reader holds, writer queued
        let mut steps = Vec::new();
        m.enabled(&w, &mut steps);
        assert_eq!(steps.contains(&Step::Handoff), expect, "{admission:?}");
    }
}

#[test]
fn taking_mmap_lock_twice_is_a_model_error() {
    let m = machine(
        vec![thread("t", &[Op::MmapReadLock, Op::MmapReadLock])],
        vec![],
        vec![],
    );
    let w = run(&m, &m.initial(), 0);
    assert_misuse(&m, &w, 0, "mmap_read_lock");
}
