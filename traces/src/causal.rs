//! Causal edges of a trace, computed by comparing consecutive world states (never by
//! reading labels): which step released what a sleeping thread waited on, which step
//! submitted the read that a completion or the FUSE server finishes, and which step
//! made a later try-lock or lookup fail.

use faultline_protocol::{FolioId, FolioState, Machine, Op, Status, Step, WaitOn, World};

use crate::describe::wait_text;
use crate::trace::Trace;
use crate::wait_for::Node;

/// Why one step made another happen the way it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The step released what the target's thread slept on; the target is the acquire
    /// (or wait) it completed once runnable again.
    Release(WaitOn),
    /// The step submitted the read of this folio that the target (a disk completion,
    /// or the FUSE server's `fuse_dev_do_read`) takes up.
    Submit(FolioId),
    /// The step put this lock or folio in the state that made the target's try-lock
    /// (`lock_vma_under_rcu`, `mmap_read_trylock`, `folio_trylock`) or lookup
    /// (`filemap_get_folio` miss, `find_vma` unmapped) fail.
    Conflict(Node),
}

impl Cause {
    /// Short edge label: `grants mmap_lock`, `read request f`, `conflict on VMA F`.
    pub fn label(self, m: &Machine) -> String {
        match self {
            Cause::Release(WaitOn::MmapLock(_)) => "grants mmap_lock".into(),
            Cause::Release(on @ WaitOn::VmaReaders(_)) => format!("empties {}", wait_text(m, on)),
            Cause::Release(WaitOn::Folio(f)) => format!("unlocks folio {}", m.folio_name(f)),
            Cause::Submit(f) => format!("read request {}", m.folio_name(f)),
            Cause::Conflict(n) => format!("conflict on {}", node_text(m, n)),
        }
    }
}

fn node_text(m: &Machine, n: Node) -> String {
    match n {
        Node::Thread(t) => m.thread_label(t),
        Node::MmapLock => "mmap_lock".into(),
        Node::Vma(v) => format!("VMA {}", m.vma_name(v)),
        Node::Folio(f) => format!("folio {}", m.folio_name(f)),
        Node::Io(b) => format!("{} I/O", b.name()),
    }
}

/// Every causal edge `(from, to, cause)` of the trace (0-based step indices, `from <
/// to`), sorted and without duplicate pairs.
pub(crate) fn causal_edges(m: &Machine, trace: &Trace) -> Vec<(usize, usize, Cause)> {
    let steps: Vec<Step> = trace.steps().collect();
    let mut out = Vec::new();
    for (i, &step) in steps.iter().enumerate() {
        let (before, after) = (trace.before(i), trace.after(i));
        // Wake-ups: a thread other than the actor goes from asleep to runnable.
        for t in m.tids().filter(|&t| Some(t) != step.tid()) {
            let Status::Blocked(on) = m.status(before, t) else {
                continue;
            };
            if !matches!(m.status(after, t), Status::Ready { .. }) {
                continue;
            }
            if let Some(j) = (i + 1..steps.len()).find(|&j| steps[j].tid() == Some(t)) {
                out.push((i, j, Cause::Release(on)));
            }
        }
        // Reads taken up: find the step that submitted them.
        for f in (0..m.folios().len() as u8).map(FolioId) {
            let (b, a) = (before.folio(f).state, after.folio(f).state);
            let taken = match (b, step) {
                (FolioState::ReadIo { .. }, Step::IoDone(g)) => g == f,
                (
                    FolioState::ReadIo {
                        backend,
                        claimed: false,
                    },
                    _,
                ) if backend.is_server() => {
                    a == FolioState::ReadIo {
                        backend,
                        claimed: true,
                    }
                }
                _ => false,
            };
            if taken {
                let k = last_turn(trace, i, |w| {
                    matches!(w.folio(f).state, FolioState::ReadIo { .. })
                });
                out.extend(k.map(|k| (k, i, Cause::Submit(f))));
            }
        }
        // Failures: find the last step that turned success into failure.
        if let Some((node, fails)) = failure(m, before, step)
            && let Some(k) = last_turn(trace, i, &fails)
        {
            out.push((k, i, Cause::Conflict(node)));
        }
    }
    out.sort_by_key(|&(a, b, _)| (a, b));
    out.dedup_by_key(|&mut (a, b, _)| (a, b));
    out
}

/// The latest step `k < i` whose world before does not satisfy `p` and whose world
/// after does: the step that made `p` true.
fn last_turn(trace: &Trace, i: usize, p: impl Fn(&World) -> bool) -> Option<usize> {
    (0..i)
        .rev()
        .find(|&k| !p(trace.before(k)) && p(trace.after(k)))
}

/// A predicate on worlds: "this step would fail here".
type Fails = Box<dyn Fn(&World) -> bool>;

/// If `step` is a try-lock or lookup that fails in `before`: the object it failed on
/// and the predicate "it would fail in this world".
fn failure(m: &Machine, before: &World, step: Step) -> Option<(Node, Fails)> {
    let t = step.tid()?;
    let op = m.next_instr(before, t)?.op;
    let th = *before.thread(t);
    let (node, fails): (Node, Fails) = match op {
        Op::LockVmaUnderRcu { vma, .. } => (
            Node::Vma(vma),
            Box::new(move |w| {
                let mut s = *w.vma(vma);
                s.start_read(t).is_err()
            }),
        ),
        Op::MmapReadTrylock { .. } => (
            Node::MmapLock,
            Box::new(move |w| {
                let mut s = w.mmap;
                !s.read_trylock(t)
            }),
        ),
        Op::FolioTrylock { .. } => {
            let f = th.folio?;
            (
                Node::Folio(f),
                Box::new(move |w| w.folio(f).state != FolioState::Uptodate),
            )
        }
        Op::FilemapGetFolio { folio, .. } => (
            Node::Folio(folio),
            Box::new(move |w| w.folio(folio).state == FolioState::Absent),
        ),
        Op::FindVma { vma, .. } => (Node::Vma(vma), Box::new(move |w| !w.vma(vma).attached)),
        _ => return None,
    };
    fails(before).then_some((node, fails))
}
