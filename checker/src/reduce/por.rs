//! Partial-order reduction: a persistent set from op footprints.
//!
//! At a state, thread `t`'s enabled steps form a persistent set when its next op's
//! access ([`Op::access`]: which shared objects, read-shared or exclusive) conflicts
//! with nothing any other actor can do from here on: the ops other threads can still
//! reach in their programs, disk completions of reads in flight or still to start,
//! reclaim, and the rwsem handoff. Two accesses conflict when one is exclusive on an
//! object the other touches; the `mmap_lock` read side counts as exclusive whenever
//! the lock is contended (see [`mmap_contended`]). Then every run from the state
//! either takes `t`'s step after steps it commutes with, or leaves it enabled
//! throughout (Godefroid's persistent sets, LNCS 1032, ch. 4). That preserves every
//! reachable deadlock (`t` stays runnable, so a state without it is no deadlock) and
//! every sticky hazard. The latency properties hold at a state when a chain of
//! blocked threads runs from a writer to read I/O. `t` is runnable, so it ends any
//! chain it is on: a chain to I/O runs through other threads only, blocked at ops
//! (always exclusive on what they wait for) whose objects `t`'s step does not
//! conflict with, so the step keeps every such chain (and so the violation) intact.
//!
//! The search adds the breadth-first cycle proviso (Bošnački, Leue, Lafuente,
//! "Partial-order reduction for general state exploring algorithms", STTT 2009): a
//! state whose reduced successors include one at its own depth or shallower is
//! expanded fully, so every cycle of the reduced graph has a fully expanded state.
//! It is needed only where a cycle can pass: a state reduced to `t`'s steps lies on
//! a cycle only if `t`'s control state (pc and live flags) lies on a cycle of `t`'s
//! control graph ([`cyclic_states`]), so elsewhere the proviso is skipped.

use faultline_protocol::{
    Access, Admission, Backend, FolioState, Footprint, Handles, Machine, Op, Reclaim, Step, Tid,
    World,
};

use crate::property::Property;

/// Static footprints of one machine.
#[derive(Debug)]
pub(crate) struct Por {
    /// Per thread: what its handles may ever point at.
    handles: Vec<Handles>,
    /// Per thread, per pc (one past the end: exited): every object an op reachable
    /// from `pc` (itself included) may touch, and how.
    future: Vec<Vec<Access>>,
    /// Per thread, per pc: the folios a reachable `SyncMmapReadahead` may start a disk
    /// read on.
    reads: Vec<Vec<Footprint>>,
    /// Disk folios.
    disk: Footprint,
    /// Folios reclaim may evict.
    evictable: Footprint,
    /// Per thread, per control state (`pc * 256 + live flags`): whether it lies on a
    /// cycle of the thread's control graph ([`cyclic_states`]); `None`: unreachable.
    cyclic: Vec<Vec<Option<bool>>>,
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
            let own: Vec<Access> = p.ops().map(|op| op.access(&h)).collect();
            let starts: Vec<Footprint> = p
                .ops()
                .map(|op| op.starts_read().map_or(Footprint::NONE, Footprint::folio))
                .collect();
            // Backward fixpoint over the control-flow graph (programs are short).
            let mut fut = vec![Access::NONE; n + 1];
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
            let init = m.initial();
            let th = init.thread(Tid(handles.len() as u8));
            cyclic.push(cyclic_states(p, (th.pc, th.flags)));
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
    /// `enabled` when no thread qualifies). A step from a control state no cycle of the
    /// thread's control graph passes cannot lie on a cycle of the state graph
    /// ([`cyclic_states`]), so only steps from cyclic control states need the proviso.
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
        // What each thread may still do, and unions of those before and after each
        // thread, so "everyone but t" is one union per candidate.
        let mut futures = [Access::NONE; faultline_protocol::MAX_THREADS];
        for (u, f) in futures.iter_mut().enumerate().take(n) {
            *f = self.future[u][pc(u)];
            f.excl = f.excl.with(self.reads[u][pc(u)].and(self.disk));
        }
        let mut after = [Access::NONE; faultline_protocol::MAX_THREADS + 1];
        for u in (0..n).rev() {
            after[u] = after[u + 1].with(futures[u]);
        }
        let mut before = Access::NONE;
        for t in 0..n {
            let others_threads = before.with(after[t + 1]);
            before = before.with(futures[t]);
            let tid = Tid(t as u8);
            let count = enabled.iter().filter(|s| s.tid() == Some(tid)).count();
            if count == 0 || count == enabled.len() {
                continue;
            }
            // (`enabled` holds only ready threads' steps.)
            let Some(mut mine) = self.next_access(m, w, tid) else {
                continue;
            };
            let mut others = others_threads.with(Access {
                shared: Footprint::NONE,
                excl: actors,
            });
            if mmap_contended(w) {
                mine = mine.exclusive_on(Footprint::MMAP);
                others = others.exclusive_on(Footprint::MMAP);
            }
            if mine.conflicts(others) {
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
            let th = w.thread(tid);
            let flags = th.flags & m.threads()[t].program.flags_live(th.pc);
            let state = usize::from(th.pc) * 256 + usize::from(flags);
            let cyclic = self.cyclic[t].get(state).copied().flatten().unwrap_or(true);
            return Ample {
                len: k,
                proviso: !self.deadlock_only && cyclic,
            };
        }
        all
    }

    /// How thread `t`'s next op touches shared objects, with its handles as they are
    /// in `w` (only `t` changes them).
    fn next_access(&self, m: &Machine, w: &World, t: Tid) -> Option<Access> {
        let instr = m.next_instr(w, t)?;
        let th = w.thread(t);
        let h = Handles {
            vma: th.vma.map_or(self.handles[t.index()].vma, Footprint::vma),
            folio: th
                .folio
                .map_or(self.handles[t.index()].folio, Footprint::folio),
            ..self.handles[t.index()]
        };
        Some(instr.op.access(&h))
    }
}

/// Whether `mmap_lock` is contended in `w`: read-side ops commute only while no writer
/// holds or waits and no handoff is set ([`Op::access`]). Without a writer now, a state
/// reached by other threads' steps has one only after a write-side op, which is
/// exclusive and so already conflicts with any read-side op of the candidate.
fn mmap_contended(w: &World) -> bool {
    w.mmap.writer().is_some() || w.mmap.queue().next().is_some() || w.mmap.handoff()
}

/// Which control states (pc, live flags) of `p` lie on a cycle of its control graph,
/// indexed `pc * 256 + flags`; `None` for states not reachable from `start`.
///
/// The graph follows what the machine does to a thread's pc and flags: `IfFlag`
/// branches on the flag, `SetFlag`/`ClearFlag` write it, `Exit` clears every flag,
/// dead flags are cleared at every pc (as [`faultline_protocol::Program::flags_live`]
/// says the machine does after each step; clearing them at local pcs too changes no
/// branch, because a dead flag is not read before it is written), and every other op
/// may go to its fall-through or its jump target. A thread's pc and flags change only
/// along these edges (its own steps, and a `mmap_lock` grant, which moves a queued
/// reader to its fall-through), so a cycle of the state graph that contains a step of
/// the thread projects onto a cycle of this graph through the step's source.
///
/// A step that waits in place (`down_read`/`down_write` queueing, `vma_start_write`
/// setting its exclusion) adds no edge: it moves the thread into a waiting phase it
/// leaves only by a grant or its own completing step, both of which move the pc on, so
/// the state before it recurs only if control comes back to the pc along the edges
/// above. The old analysis (by pc alone) counted every retry loop as a cycle even
/// though `FAULT_FLAG_TRIED` makes the second pass take the other branch.
fn cyclic_states(p: &faultline_protocol::Program, start: (u8, u8)) -> Vec<Option<bool>> {
    use petgraph::graph::{DiGraph, NodeIndex};
    let n = p.len();
    let exit = n as u8;
    let key = |pc: u8, flags: u8| usize::from(pc) * 256 + usize::from(flags);
    let node_of = |pc: u8, flags: u8| (pc, flags & p.flags_live(pc));
    let succ = |pc: u8, flags: u8| -> Vec<(u8, u8)> {
        let Some(instr) = p.get(pc) else {
            return Vec::new(); // exited
        };
        let target = instr.op.label().map(|l| p.target(l));
        let with = |flag, on| {
            let mut th = faultline_protocol::ThreadState {
                flags,
                ..Default::default()
            };
            th.set(flag, on);
            th.flags
        };
        let has = |flag| with(flag, true) == flags;
        let out: Vec<(u8, u8)> = match instr.op {
            Op::IfFlag { flag, .. } => {
                let to = if has(flag) {
                    target.unwrap_or(pc + 1)
                } else {
                    pc + 1
                };
                vec![(to, flags)]
            }
            Op::SetFlag(flag) => vec![(pc + 1, with(flag, true))],
            Op::ClearFlag(flag) => vec![(pc + 1, with(flag, false))],
            Op::Exit => vec![(exit, 0)],
            _ => instr
                .op
                .successors(pc, target)
                .into_iter()
                .flatten()
                .map(|s| (s.min(exit), flags))
                .collect(),
        };
        out.into_iter().map(|(pc, f)| node_of(pc, f)).collect()
    };
    let mut graph: DiGraph<(u8, u8), ()> = DiGraph::new();
    let mut index: Vec<Option<NodeIndex>> = vec![None; (n + 1) * 256];
    let start = node_of(start.0.min(exit), start.1);
    let first = graph.add_node(start);
    index[key(start.0, start.1)] = Some(first);
    let mut stack = vec![first];
    while let Some(x) = stack.pop() {
        let (pc, flags) = graph[x];
        for (spc, sflags) in succ(pc, flags) {
            let y = match index[key(spc, sflags)] {
                Some(y) => y,
                None => {
                    let y = graph.add_node((spc, sflags));
                    index[key(spc, sflags)] = Some(y);
                    stack.push(y);
                    y
                }
            };
            graph.update_edge(x, y, ());
        }
    }
    let mut out = vec![None; (n + 1) * 256];
    for scc in petgraph::algo::tarjan_scc(&graph) {
        let on_cycle = scc.len() > 1 || graph.contains_edge(scc[0], scc[0]);
        for x in scc {
            let (pc, flags) = graph[x];
            out[key(pc, flags)] = Some(on_cycle);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Up to `limit` states of `m`, breadth-first.
    fn sample(m: &Machine, limit: usize) -> Vec<World> {
        let mut seen = std::collections::HashSet::new();
        let mut queue = std::collections::VecDeque::from([m.initial()]);
        let mut out = Vec::new();
        let mut enabled = Vec::new();
        while let Some(w) = queue.pop_front() {
            if out.len() >= limit {
                break;
            }
            if !seen.insert(w) {
                continue;
            }
            m.enabled(&w, &mut enabled);
            for &step in &enabled {
                queue.push_back(m.apply(&w, step).expect("enabled"));
            }
            out.push(w);
        }
        out
    }

    /// Pairs of enabled steps of different threads in `w` whose accesses do not
    /// conflict (with `mmap_lock` exclusive when contended), and whether they share an
    /// object.
    fn independent_pairs(
        por: &Por,
        m: &Machine,
        w: &World,
        contention: bool,
    ) -> Vec<(Step, Step, bool)> {
        let mut enabled = Vec::new();
        m.enabled(w, &mut enabled);
        let mut out = Vec::new();
        for &a in &enabled {
            for &b in &enabled {
                let (Some(ta), Some(tb)) = (a.tid(), b.tid()) else {
                    continue;
                };
                if ta >= tb {
                    continue;
                }
                let (Some(mut x), Some(mut y)) =
                    (por.next_access(m, w, ta), por.next_access(m, w, tb))
                else {
                    continue;
                };
                if contention && mmap_contended(w) {
                    x = x.exclusive_on(Footprint::MMAP);
                    y = y.exclusive_on(Footprint::MMAP);
                }
                if !x.conflicts(y) {
                    out.push((a, b, x.shared.meets(y.shared)));
                }
            }
        }
        out
    }

    fn commute(m: &Machine, w: &World, a: Step, b: Step) -> bool {
        let ab = m.apply(w, a).and_then(|n| m.apply(&n, b));
        let ba = m.apply(w, b).and_then(|n| m.apply(&n, a));
        matches!((ab, ba), (Ok(x), Ok(y)) if x == y)
    }

    fn cases() -> Vec<Machine> {
        let mut out = Vec::new();
        for d in faultline_models::DESIGNS {
            for sc in faultline_models::SCENARIOS {
                out.push(
                    faultline_models::build(d.id, sc.id, &[])
                        .expect("builds")
                        .machine,
                );
            }
            let faults = [("faults".to_string(), "3".to_string())];
            out.push(
                faultline_models::build(d.id, "many-faults", &faults)
                    .expect("builds")
                    .machine,
            );
        }
        out
    }

    #[test]
    fn steps_the_access_relation_calls_independent_commute_on_every_catalog_case() {
        // The soundness of every persistent set rests on this: two enabled steps of
        // different threads whose accesses do not conflict leave each other enabled
        // and reach one state in either order.
        let (mut checked, mut shared) = (0, 0);
        for m in cases() {
            let por = Por::new(&m, &[Property::Deadlock]);
            for w in sample(&m, 3000) {
                for (a, b, s) in independent_pairs(&por, &m, &w, true) {
                    assert!(commute(&m, &w, a, b), "{a} and {b} do not commute in {w:?}");
                    checked += 1;
                    shared += usize::from(s);
                }
            }
        }
        assert!(
            checked > 10_000 && shared > 1000,
            "{checked} pairs, {shared} shared"
        );
    }

    #[test]
    fn read_side_mmap_ops_do_not_commute_under_contention() {
        // The test above can fail: without the contention rule, two readers queueing
        // behind a writer are called independent, and their queue order differs.
        let failures: usize = cases()
            .iter()
            .map(|m| {
                let por = Por::new(m, &[Property::Deadlock]);
                sample(m, 3000)
                    .iter()
                    .flat_map(|w| {
                        independent_pairs(&por, m, w, false)
                            .into_iter()
                            .filter(|&(a, b, _)| !commute(m, w, a, b))
                            .collect::<Vec<_>>()
                    })
                    .count()
            })
            .sum();
        assert!(failures > 0);
    }

    #[test]
    fn a_retry_loop_is_no_cycle_once_its_flags_are_followed_but_a_server_loop_is() {
        let faults = [("faults".to_string(), "2".to_string())];
        let m = faultline_models::build("upstream", "many-faults", &faults)
            .expect("builds")
            .machine;
        let por = Por::new(&m, &[Property::Deadlock]);
        for (t, spec) in m.threads().iter().enumerate() {
            // The per-pc analysis called the fault path's retry loop a cycle.
            if spec.role == faultline_protocol::Role::Fault {
                assert!(loops_by_pc_alone(&spec.program), "{}", spec.name);
            }
            assert!(
                por.cyclic[t].iter().all(|c| *c != Some(true)),
                "{}: a control state on a cycle",
                spec.name
            );
        }
        // A daemon that serves requests forever does loop.
        let looping = cases()
            .iter()
            .map(|m| {
                let por = Por::new(m, &[Property::Deadlock]);
                por.cyclic
                    .iter()
                    .filter(|c| c.contains(&Some(true)))
                    .count()
            })
            .sum::<usize>();
        assert!(looping > 0);
    }

    /// Whether some pc of `p` can reach itself along program edges (flags ignored).
    fn loops_by_pc_alone(p: &faultline_protocol::Program) -> bool {
        let n = p.len();
        let next = |pc: usize| {
            let instr = &p.instrs()[pc];
            let target = instr.op.label().map(|l| p.target(l));
            instr
                .op
                .successors(pc as u8, target)
                .into_iter()
                .flatten()
                .map(usize::from)
                .collect::<Vec<_>>()
        };
        (0..n).any(|start| {
            let mut seen = vec![false; n + 1];
            let mut stack = next(start);
            while let Some(x) = stack.pop() {
                if x == start {
                    return true;
                }
                if x < n && !seen[x] {
                    seen[x] = true;
                    stack.extend(next(x));
                }
            }
            false
        })
    }
}
