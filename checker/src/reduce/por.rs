//! Partial-order reduction: a persistent set from op footprints.
//!
//! At a state, thread `t`'s enabled steps form a persistent set when the shared
//! objects its next op touches ([`Op::footprint`]) meet nothing any other actor can
//! touch from here on: the ops other threads can still reach in their programs, disk
//! completions of reads in flight or still to start, reclaim, and the rwsem handoff.
//! Then every run from the state either takes `t`'s step after steps it commutes
//! with, or leaves it enabled throughout. That preserves every reachable deadlock
//! (`t` stays runnable, so a state without it is no deadlock) and every sticky hazard.
//! The latency properties are state predicates that follow wait chains through lock
//! holders, so they additionally need `t` to hold no lock (it is then on no chain and
//! its step cannot end one). The search adds the breadth-first cycle proviso: a state
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
    /// Whether a latency property is checked (the step's thread must hold no lock).
    latency: bool,
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
            latency: props
                .iter()
                .any(|p| matches!(p, Property::WriterWaitsIo | Property::ForkWaitsIo)),
        }
    }

    /// Reorders `enabled` so a persistent set comes first and returns its length
    /// (`enabled.len()` when no thread qualifies).
    pub(crate) fn ample(&self, m: &Machine, w: &World, enabled: &mut [Step]) -> usize {
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
            if self.latency && holds_lock(m, w, tid) {
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
            return k;
        }
        enabled.len()
    }
}

/// Whether `t` holds `mmap_lock`, a VMA lock or a folio lock (is on some wait chain's
/// path).
fn holds_lock(m: &Machine, w: &World, t: Tid) -> bool {
    let s = m.shape();
    w.mmap.held_by(t)
        || w.vmas[..s.vmas]
            .iter()
            .any(|v| v.readers.contains(t) || v.excluding == Some(t))
        || w.folios[..s.folios]
            .iter()
            .any(|f| f.state == FolioState::Locked(t))
}

trait And {
    fn and(self, o: Self) -> Self;
}

impl And for Footprint {
    fn and(self, o: Footprint) -> Footprint {
        Footprint(self.0 & o.0)
    }
}
