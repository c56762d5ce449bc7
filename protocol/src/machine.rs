//! The machine: a scenario's static description (programs, VMA layout, folios,
//! actors) and the one step function every engine runs.

use crate::error::ModelError;
use crate::folio::{Backend, Folio, FolioState};
use crate::ids::{FolioId, MAX_FOLIOS, MAX_THREADS, MAX_VMAS, Tid, VmaId};
use crate::program::{Instr, Op, Program};
use crate::rwsem::{Admission, Mode, RwSem};
use crate::step::Step;
use crate::vma::{VmaKind, VmaState};
use crate::world::{Shape, ThreadState, World};

mod exec;
mod waits;

pub use waits::Waits;

/// What a thread is, for the properties that single some out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A page fault (its retries are what `livelock` watches).
    Fault,
    /// `fork()` (`dup_mmap`): the writer `fork-waits-io` watches.
    Fork,
    /// A VMA modifier or other `mmap_lock` user (mprotect, munmap, mmap).
    Modifier,
    /// A thread that holds a folio lock while it waits for something else.
    Holder,
    /// A server thread (FUSE) that may idle forever waiting for requests without that
    /// being a hang.
    Server,
}

impl Role {
    /// Whether the thread may idle forever (`fuse_dev_do_read` with no request).
    pub fn daemon(self) -> bool {
        self == Role::Server
    }
}

/// Which process a thread belongs to. The model holds one mm; a thread of another
/// process reaches it only from outside (`access_remote_vm`). What `kill -9` of the
/// mm's process ends depends on it; the step function never reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Process {
    /// A thread of the process whose mm the model holds (faults, fork, mprotect, an
    /// in-process FUSE server).
    #[default]
    Mm,
    /// A thread of another process (a daemon reading `/proc/<caller>/cmdline`).
    Other,
}

/// A thread of the scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadSpec {
    /// Short name for traces (`fault`, `fork`, `fuse`).
    pub name: String,
    /// What it runs.
    pub program: Program,
    /// What it is.
    pub role: Role,
    /// Whose process it runs in.
    pub process: Process,
}

impl ThreadSpec {
    /// Whether the thread may idle forever without that being a hang.
    pub fn daemon(&self) -> bool {
        self.role.daemon()
    }
}

/// A VMA of the scenario, in address order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmaSpec {
    /// Short name (`F`, `B`).
    pub name: String,
    /// Mapping kind.
    pub kind: VmaKind,
    /// Whether `anon_vma` is set at the start.
    pub anon_vma: bool,
    /// Whether `vm_flags` has one of `VM_COPY_ON_FORK` at the start (`VM_PFNMAP`,
    /// `VM_MIXEDMAP`, `VM_UFFD_WP`, `VM_MAYBE_GUARD`).
    pub copy_on_fork: bool,
}

/// A folio of the scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolioSpec {
    /// Short name (`f`).
    pub name: String,
    /// Who completes its reads.
    pub backend: Backend,
    /// Its state at the start.
    pub start: FolioStart,
}

/// A folio's state at the start of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolioStart {
    /// Not in the page cache.
    Absent,
    /// In the page cache, uptodate and unlocked.
    Cached,
    /// Locked with a read from its backend in flight (a journal or metadata read
    /// someone else started).
    Reading,
}

/// How much reclaim may evict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reclaim {
    /// At most this many evictions over the whole run.
    Bounded(u8),
    /// Any number: reclaim is not a fair actor, it may evict whenever it can.
    Unbounded,
}

/// What a thread can do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// It can run; `choices` alternatives (at least 1).
    Ready {
        /// Number of alternatives.
        choices: u8,
    },
    /// It sleeps on a resource.
    Blocked(WaitOn),
    /// A daemon waiting for work (`fuse_dev_do_read` with no request): not a hang.
    Idle,
    /// It has exited.
    Exited,
}

/// What a blocked thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitOn {
    /// Queued on `mmap_lock` in this mode.
    MmapLock(Mode),
    /// In `vma_start_write`, waiting for the readers of this VMA to leave.
    VmaReaders(VmaId),
    /// In `folio_lock`, waiting for this folio to be unlocked.
    Folio(FolioId),
}

/// A scenario ready to run: everything that does not change during a run.
#[derive(Clone, Debug)]
pub struct Machine {
    threads: Vec<ThreadSpec>,
    vmas: Vec<VmaSpec>,
    folios: Vec<FolioSpec>,
    admission: Admission,
    reclaim: Reclaim,
    shape: Shape,
    init: World,
}

impl Machine {
    /// Checks the description and builds the initial world.
    pub fn new(
        threads: Vec<ThreadSpec>,
        vmas: Vec<VmaSpec>,
        folios: Vec<FolioSpec>,
        admission: Admission,
        reclaim: Reclaim,
    ) -> Result<Machine, ModelError> {
        let too_many = |what, count, max| ModelError::TooMany { what, count, max };
        if threads.len() > MAX_THREADS {
            return Err(too_many("threads", threads.len(), MAX_THREADS));
        }
        if vmas.len() > MAX_VMAS {
            return Err(too_many("VMAs", vmas.len(), MAX_VMAS));
        }
        if folios.len() > MAX_FOLIOS {
            return Err(too_many("folios", folios.len(), MAX_FOLIOS));
        }
        for spec in &threads {
            for instr in spec.program.instrs() {
                check_indices(spec, instr, vmas.len(), folios.len())?;
            }
        }
        let shape = Shape {
            threads: threads.len(),
            vmas: vmas.len(),
            folios: folios.len(),
        };
        let mut init = World {
            mmap: RwSem::default(),
            vmas: [VmaState::new(false); MAX_VMAS],
            folios: [Folio::new(FolioState::Absent); MAX_FOLIOS],
            threads: [ThreadState::default(); MAX_THREADS],
            evictions_left: match reclaim {
                Reclaim::Bounded(n) => n,
                Reclaim::Unbounded => 0,
            },
            hazards: 0,
        };
        for (state, spec) in init.vmas.iter_mut().zip(&vmas) {
            *state = VmaState::new(spec.anon_vma);
            state.copy_on_fork = spec.copy_on_fork;
        }
        for (state, spec) in init.folios.iter_mut().zip(&folios) {
            state.state = match spec.start {
                FolioStart::Absent => FolioState::Absent,
                FolioStart::Cached => FolioState::Uptodate,
                FolioStart::Reading => FolioState::ReadIo {
                    backend: spec.backend,
                    claimed: false,
                },
            };
        }
        let mut m = Machine {
            threads,
            vmas,
            folios,
            admission,
            reclaim,
            shape,
            init,
        };
        // Programs may open with local ops; run them so every stored state has each
        // thread at a visible op.
        for t in m.tids() {
            m.settle(&mut init, t)?;
        }
        m.init = init;
        Ok(m)
    }

    /// The initial world.
    pub fn initial(&self) -> World {
        self.init
    }
    /// Object counts (fixes the packed state size).
    pub fn shape(&self) -> &Shape {
        &self.shape
    }
    /// The threads.
    pub fn threads(&self) -> &[ThreadSpec] {
        &self.threads
    }
    /// The VMAs, in address order.
    pub fn vmas(&self) -> &[VmaSpec] {
        &self.vmas
    }
    /// The folios.
    pub fn folios(&self) -> &[FolioSpec] {
        &self.folios
    }
    /// The `mmap_lock` admission mode.
    pub fn admission(&self) -> Admission {
        self.admission
    }
    /// The reclaim bound.
    pub fn reclaim(&self) -> Reclaim {
        self.reclaim
    }
    /// Thread ids in order.
    pub fn tids(&self) -> impl Iterator<Item = Tid> + use<> {
        (0..self.threads.len() as u8).map(Tid)
    }
    /// Display name of a thread: `T1 fault`.
    pub fn thread_label(&self, t: Tid) -> String {
        format!("{t} {}", self.threads[t.index()].name)
    }
    /// Name of a VMA.
    pub fn vma_name(&self, v: VmaId) -> &str {
        &self.vmas[v.index()].name
    }
    /// Name of a folio.
    pub fn folio_name(&self, f: FolioId) -> &str {
        &self.folios[f.index()].name
    }

    /// The instruction thread `t` executes next (`None` once exited).
    pub fn next_instr(&self, w: &World, t: Tid) -> Option<&Instr> {
        self.threads[t.index()].program.get(w.thread(t).pc)
    }

    /// What thread `t` can do in `w`. Blocking instructions are ready only when they can
    /// complete (or, for the rwsem, when the caller has still to queue).
    pub fn status(&self, w: &World, t: Tid) -> Status {
        let Some(instr) = self.next_instr(w, t) else {
            return Status::Exited;
        };
        let ready = Status::Ready { choices: 1 };
        match instr.op {
            Op::MmapReadLock if w.mmap.position(t).is_some() => {
                Status::Blocked(WaitOn::MmapLock(Mode::Read))
            }
            Op::MmapWriteLock
                if w.mmap.position(t).is_some() && !w.mmap.queued_writer_can_take(t) =>
            {
                Status::Blocked(WaitOn::MmapLock(Mode::Write))
            }
            Op::VmaStartWrite { vma } if w.vma(vma).writer_waiting(t) => {
                Status::Blocked(WaitOn::VmaReaders(vma))
            }
            Op::FolioLock => match w.thread(t).folio {
                Some(f) if w.folio(f).state != FolioState::Uptodate => {
                    Status::Blocked(WaitOn::Folio(f))
                }
                _ => ready,
            },
            Op::FolioWaitLocked { folio }
                if matches!(
                    w.folio(folio).state,
                    FolioState::ReadIo { .. } | FolioState::Locked(_)
                ) && w.folio(folio).state != FolioState::Locked(t) =>
            {
                Status::Blocked(WaitOn::Folio(folio))
            }
            Op::InvalidateFolio { folio }
                if w.folio(folio).state != FolioState::Absent
                    && !(w.folio(folio).state == FolioState::Uptodate
                        && w.folio(folio).refs.is_empty()) =>
            {
                Status::Blocked(WaitOn::Folio(folio))
            }
            Op::FuseWaitWriteback { folio }
            | Op::FolioWaitWriteback { folio }
            | Op::FuseRequestWait { folio }
                if matches!(w.folio(folio).state, FolioState::ReadIo { .. }) =>
            {
                Status::Blocked(WaitOn::Folio(folio))
            }
            Op::FuseDevRead | Op::UffdRead => match self.pending(w, served(instr.op)).count() {
                0 => Status::Idle,
                n => Status::Ready { choices: n as u8 },
            },
            Op::Choose { .. } => Status::Ready { choices: 2 },
            _ => ready,
        }
    }

    /// What `t` sleeps on in `w`, if it is blocked: the wait-for edge out of `t`.
    pub fn blocked_on(&self, w: &World, t: Tid) -> Option<WaitOn> {
        match self.status(w, t) {
            Status::Blocked(on) => Some(on),
            _ => None,
        }
    }

    /// Whether `f`'s I/O in `w` is a writeback: a thread is at
    /// `fuse_wait_on_page_writeback` for it. The folio state does not say (a WRITE
    /// request is modelled as the folio's pending FUSE I/O); traces need the word.
    pub fn under_writeback(&self, w: &World, f: FolioId) -> bool {
        (0..self.threads.len()).any(|i| {
            matches!(
                self.next_instr(w, Tid(i as u8)).map(|x| x.op),
                Some(Op::FuseWaitWriteback { folio } | Op::FolioWaitWriteback { folio }) if folio == f
            )
        })
    }

    /// Requests for a server `backend` nobody has taken yet, in folio order.
    pub fn pending<'a>(
        &'a self,
        w: &'a World,
        backend: Backend,
    ) -> impl Iterator<Item = FolioId> + 'a {
        (0..self.shape.folios as u8).map(FolioId).filter(move |&f| {
            w.folio(f).state
                == FolioState::ReadIo {
                    backend,
                    claimed: false,
                }
        })
    }

    /// Whether the run may end here: every thread exited or is an idle daemon.
    pub fn all_done(&self, w: &World) -> bool {
        self.tids().all(|t| match self.status(w, t) {
            Status::Exited => true,
            Status::Idle => self.threads[t.index()].daemon(),
            _ => false,
        })
    }

    /// The enabled steps of `w`, in a fixed order: threads by id and choice, then disk
    /// completions, evictions and the rwsem handoff.
    pub fn enabled(&self, w: &World, out: &mut Vec<Step>) {
        out.clear();
        for tid in self.tids() {
            if let Status::Ready { choices } = self.status(w, tid) {
                out.extend((0..choices).map(|choice| Step::Thread { tid, choice }));
            }
        }
        for i in 0..self.shape.folios as u8 {
            let f = FolioId(i);
            if matches!(
                w.folio(f).state,
                FolioState::ReadIo {
                    backend: Backend::Disk,
                    ..
                }
            ) {
                out.push(Step::IoDone(f));
            }
        }
        let may_evict = match self.reclaim {
            Reclaim::Bounded(_) => w.evictions_left > 0,
            Reclaim::Unbounded => true,
        };
        if may_evict {
            for i in 0..self.shape.folios as u8 {
                if self.evictable(w, FolioId(i)) {
                    out.push(Step::Evict(FolioId(i)));
                }
            }
        }
        if w.mmap.handoff_possible(self.admission) {
            out.push(Step::Handoff);
        }
    }

    /// Applies one enabled step. Errors mean the model is malformed or the step was not
    /// enabled; a design's own bugs show up as property violations instead.
    pub fn apply(&self, w: &World, step: Step) -> Result<World, ModelError> {
        let not_enabled = || ModelError::NotEnabled {
            step: step.to_string(),
        };
        let mut n = *w;
        match step {
            Step::Thread { tid, choice } => {
                if tid.index() >= self.shape.threads {
                    return Err(not_enabled());
                }
                match self.status(w, tid) {
                    Status::Ready { choices } if choice < choices => {}
                    _ => return Err(not_enabled()),
                }
                self.exec(&mut n, tid, choice)?;
                self.settle(&mut n, tid)?;
            }
            Step::IoDone(f) => {
                let ok = f.index() < self.shape.folios
                    && matches!(
                        w.folio(f).state,
                        FolioState::ReadIo {
                            backend: Backend::Disk,
                            ..
                        }
                    );
                if !ok {
                    return Err(not_enabled());
                }
                n.folios[f.index()].state = FolioState::Uptodate;
            }
            Step::Evict(f) => {
                let budget = match self.reclaim {
                    Reclaim::Bounded(_) => w.evictions_left > 0,
                    Reclaim::Unbounded => true,
                };
                if !(budget && f.index() < self.shape.folios && self.evictable(w, f)) {
                    return Err(not_enabled());
                }
                n.folios[f.index()].state = FolioState::Absent;
                if let Reclaim::Bounded(_) = self.reclaim {
                    n.evictions_left -= 1;
                }
            }
            Step::Handoff => {
                if !w.mmap.handoff_possible(self.admission) {
                    return Err(not_enabled());
                }
                n.mmap.set_handoff();
            }
        }
        Ok(n)
    }

    /// Whether reclaim may evict `f`: a page-cache or swap folio that
    /// [`Folio::evictable`] allows. A page a uffd handler filled is anonymous memory
    /// and comes back through swap-in, not another missing fault, so it stays.
    fn evictable(&self, w: &World, f: FolioId) -> bool {
        self.folios[f.index()].backend != Backend::Uffd && w.folio(f).evictable()
    }

    /// Runs `t`'s local ops (flags, jumps, exit) up to its next visible op, then clears
    /// the registers no later op reads.
    fn settle(&self, w: &mut World, t: Tid) -> Result<(), ModelError> {
        let prog = &self.threads[t.index()].program;
        for _ in 0..=prog.len() {
            match prog.get(w.thread(t).pc) {
                Some(i) if i.op.is_local() => self.exec(w, t, 0)?,
                _ => {
                    // Dead registers are cleared so that equal futures are one state.
                    let th = &mut w.threads[t.index()];
                    let live = prog.live_regs();
                    if !live.vma(th.pc) {
                        th.vma = None;
                        th.stale = false;
                    }
                    th.flags &= live.flags(th.pc);
                    return Ok(());
                }
            }
        }
        Err(ModelError::LocalLoop {
            thread: self.thread_label(t),
        })
    }
}

/// The backend a server op serves.
pub(crate) fn served(op: Op) -> Backend {
    if matches!(op, Op::UffdRead | Op::UffdioCopy) {
        Backend::Uffd
    } else {
        Backend::Fuse
    }
}

fn check_indices(
    spec: &ThreadSpec,
    instr: &Instr,
    vmas: usize,
    folios: usize,
) -> Result<(), ModelError> {
    let bad = |what, index| ModelError::NoSuchObject {
        thread: spec.name.clone(),
        op: instr.op.kernel_name(),
        what,
        index,
    };
    match instr.op {
        Op::LockVmaUnderRcu { vma, .. }
        | Op::FindVma { vma, .. }
        | Op::VmaStartWrite { vma }
        | Op::VmaMarkDetached { vma }
        | Op::CopyPageRange { vma }
        | Op::CopyPageRangeEnd { vma }
        | Op::MmapRegion { vma }
        | Op::IfAnonVma { vma: Some(vma), .. }
        | Op::ChangeProtection { vma }
        | Op::UnmapVmas { vma }
            if vma.index() >= vmas =>
        {
            Err(bad("VMA", vma.index()))
        }
        Op::FilemapGetFolio { folio, .. }
        | Op::SyncMmapReadahead { folio }
        | Op::FolioWaitLocked { folio }
        | Op::InvalidateFolio { folio }
        | Op::FuseWritebackStart { folio }
        | Op::FuseRequestSend { folio }
        | Op::FuseRequestWait { folio }
        | Op::FuseWaitWriteback { folio }
        | Op::IfFolioWriteback { folio, .. }
        | Op::FolioWaitWriteback { folio }
        | Op::HandleUserfault { folio, .. }
            if folio.index() >= folios =>
        {
            Err(bad("folio", folio.index()))
        }
        _ => Ok(()),
    }
}
