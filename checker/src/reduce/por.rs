//! Partial-order reduction: a persistent set from op footprints.
//!
//! At a state, thread `t`'s enabled steps form a persistent set when the shared
//! objects its next op touches ([`Op::footprint`]) meet nothing any other actor can
//! touch from here on: the ops other threads can still reach in their programs, disk
//! completions of reads in flight or still to start, reclaim, and the rwsem handoff.
//! Then every run from the state either takes `t`'s step after steps it commutes
//! with, or leaves it enabled throughout. That preserves every reachable deadlock
//! (`t` stays runnable, so a state without it is no deadlock) and every sticky hazard.
//! The latency properties hold at a state when a chain of blocked threads runs from a
//! writer to read I/O. `t` is runnable, so it ends any chain it is on: a chain to I/O
//! runs through other threads only, blocked at ops whose objects `t`'s step does not
//! touch, so the step keeps every such chain (and so the violation) intact. The search adds the breadth-first cycle proviso: a state
//! whose reduced successors include one at its own depth or shallower is expanded
//! fully, so every cycle of the reduced graph has a fully expanded state.

use faultline_protocol::{
    Admission, Backend, FolioState, Footprint, Handles, Machine, Op, Reclaim, Status, Step, Tid,
    World,
};

use crate::property::Property;

/// Static footprints of one machine.
#[derive(Debug)]
pub(crate) struct Por {
    /// Per thread: what its handles may ever point at.
    handles: Vec<Handles>,
    /// Per thread, per pc (one past the end: exited): every object an op reachable
    /// from `pc` (itself included) may touch.
    future: Vec<Vec<Footprint>>,
    /// Per thread, per pc: the folios a reachable `SyncMmapReadahead` may start a disk
    /// read on.
    reads: Vec<Vec<Footprint>>,
    /// Disk folios.
    disk: Footprint,
    /// Folios reclaim may evict.
    evictable: Footprint,
    /// Per thread, per pc: whether control can come back to `pc` (a loop of its
    /// program, or an op that waits in place).
    cyclic: Vec<Vec<bool>>,
    /// Whether every property is deadlock (then no cycle proviso is needed: a
    /// persistent set keeps every deadlock on its own).
    deadlock_only: bool,
}

/// A persistent set: its length (its steps come first) and whether the search must
/// apply the cycle proviso to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ample {
    pub len: usize,
    pub proviso: bool,
}

impl Por {
    pub(crate) fn new(m: &Machine, props: &[Property]) -> Por {
        let backend = |b: Backend| {
            m.folios()
                .iter()
                .enumerate()
                .filter(|(_, s)| s.backend == b)
                .fold(Footprint::NONE, |acc, (i, _)| {
                    acc.with(Footprint::folio(faultline_protocol::FolioId(i as u8)))
                })
        };
        let (fuse, uffd, disk) = (
            backend(Backend::Fuse),
            backend(Backend::Uffd),
            backend(Backend::Disk),
        );
        let mut handles = Vec::new();
        let mut cyclic = Vec::new();
        let mut future = Vec::new();
        let mut reads = Vec::new();
        for spec in m.threads() {
            let p = &spec.program;
            let mut h = Handles {
                fuse,
                uffd,
                ..Handles::default()
            };
            for op in p.ops() {
                match op {
                    Op::LockVmaUnderRcu { vma, .. } | Op::FindVma { vma, .. } => {
                        h.vma = h.vma.with(Footprint::vma(vma))
                    }
                    Op::FilemapGetFolio { folio, .. } | Op::SyncMmapReadahead { folio } => {
                        h.folio = h.folio.with(Footprint::folio(folio))
                    }
                    Op::FuseDevRead => h.folio = h.folio.with(fuse),
                    Op::UffdRead => h.folio = h.folio.with(uffd),
                    _ => {}
                }
            }
            let n = p.len();
            let own: Vec<Footprint> = p.ops().map(|op| op.footprint(&h)).collect();
            let starts: Vec<Footprint> = p
                .ops()
                .map(|op| op.starts_read().map_or(Footprint::NONE, Footprint::folio))
                .collect();
            // Backward fixpoint over the control-flow graph (programs are short).
            let mut fut = vec![Footprint::NONE; n + 1];
            let mut rd = vec![Footprint::NONE; n + 1];
            loop {
                let mut changed = false;
                for pc in (0..n).rev() {
                    let instr = &p.instrs()[pc];
                    let target = instr.op.label().map(|l| p.target(l));
                    let (mut f, mut r) = (own[pc], starts[pc]);
                    for s in instr.op.successors(pc as u8, target).into_iter().flatten() {
                        let s = usize::from(s).min(n);
                        f = f.with(fut[s]);
                        r = r.with(rd[s]);
                    }
                    if f != fut[pc] || r != rd[pc] {
                        fut[pc] = f;
                        rd[pc] = r;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            cyclic.push(cyclic_pcs(p));
            handles.push(h);
            future.push(fut);
            reads.push(rd);
        }
        let evictable = fuse.with(disk);
        Por {
            handles,
            future,
            reads,
            disk,
            evictable,
            cyclic,
            deadlock_only: props.iter().all(|&p| p == Property::Deadlock),
        }
    }

    /// Reorders `enabled` so a persistent set comes first and returns it (all of
    /// `enabled` when no thread qualifies). A step at a pc no loop returns to cannot
    /// lie on a cycle of the state graph (pcs move only along program edges), so only
    /// steps at cyclic pcs need the proviso.
    pub(crate) fn ample(&self, m: &Machine, w: &World, enabled: &mut [Step]) -> Ample {
        let all = Ample {
            len: enabled.len(),
            proviso: false,
        };
        let n = m.threads().len();
        let pc = |t: usize| usize::from(w.threads[t].pc).min(self.future[t].len() - 1);
        // Everything non-thread actors may touch from here on.
        let mut actors = Footprint::NONE;
        for (i, f) in w.folios[..m.shape().folios].iter().enumerate() {
            if matches!(
                f.state,
                FolioState::ReadIo {
                    backend: Backend::Disk,
                    ..
                }
            ) {
                actors = actors.with(Footprint::folio(faultline_protocol::FolioId(i as u8)));
            }
        }
        let may_evict = match m.reclaim() {
            Reclaim::Bounded(_) => w.evictions_left > 0,
            Reclaim::Unbounded => true,
        };
        if may_evict {
            actors = actors.with(self.evictable).with(Footprint::RECLAIM);
        }
        if m.admission() == Admission::Steal {
            actors = actors.with(Footprint::MMAP);
        }
        for t in 0..n {
            let tid = Tid(t as u8);
            let count = enabled.iter().filter(|s| s.tid() == Some(tid)).count();
            if count == 0 || count == enabled.len() {
                continue;
            }
            if !matches!(m.status(w, tid), Status::Ready { .. }) {
                continue;
            }
            let Some(instr) = m.next_instr(w, tid) else {
                continue;
            };
            // The handles as they are now: only `t` changes them.
            let th = w.thread(tid);
            let h = Handles {
                vma: th.vma.map_or(self.handles[t].vma, Footprint::vma),
                folio: th.folio.map_or(self.handles[t].folio, Footprint::folio),
                ..self.handles[t]
            };
            let mine = instr.op.footprint(&h);
            let mut others = actors;
            for u in (0..n).filter(|&u| u != t) {
                others = others.with(self.future[u][pc(u)]);
                others = others.with(self.reads[u][pc(u)].and(self.disk));
            }
            if mine.meets(others) {
                continue;
            }
            // Persistent: t's steps first.
            let mut k = 0;
            for i in 0..enabled.len() {
                if enabled[i].tid() == Some(tid) {
                    enabled.swap(i, k);
                    k += 1;
                }
            }
            return Ample {
                len: k,
                proviso: !self.deadlock_only && self.cyclic[t][pc(t)],
            };
        }
        all
    }
}

/// Which pcs of `p` control can return to: through a jump back, or by waiting in
/// place (a queued `mmap_lock` caller, `vma_start_write` waiting for readers).
fn cyclic_pcs(p: &faultline_protocol::Program) -> Vec<bool> {
    let n = p.len();
    let succ = |pc: usize| -> Vec<usize> {
        let instr = &p.instrs()[pc];
        let target = instr.op.label().map(|l| p.target(l));
        let mut out: Vec<usize> = instr
            .op
            .successors(pc as u8, target)
            .into_iter()
            .flatten()
            .map(usize::from)
            .filter(|&s| s < n)
            .collect();
        if matches!(
            instr.op,
            Op::MmapReadLock | Op::MmapWriteLock | Op::VmaStartWrite { .. }
        ) {
            out.push(pc);
        }
        out
    };
    let mut out = vec![false; n + 1];
    for (start, slot) in out.iter_mut().enumerate().take(n) {
        let mut seen = vec![false; n];
        let mut stack = succ(start);
        while let Some(x) = stack.pop() {
            if x == start {
                *slot = true;
                break;
            }
            if !seen[x] {
                seen[x] = true;
                stack.extend(succ(x));
            }
        }
    }
    out
}

trait And {
    fn and(self, o: Self) -> Self;
}

impl And for Footprint {
    fn and(self, o: Footprint) -> Footprint {
        Footprint(self.0 & o.0)
    }
}
