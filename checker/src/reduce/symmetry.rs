//! Symmetry reduction: threads with the same program and role are interchangeable, and
//! so are the private disk folios of same-program faults (with the threads that fault
//! them). Each state is stored as the representative of its orbit, computed by
//! sorting (scalarset style), never by enumerating the group.
//!
//! A class is a set of threads whose programs are equal once folio ids are erased.
//! When each of its threads names exactly one folio, every such folio is a disk
//! folio of the same kind that no thread outside the class names, the class splits
//! into blocks (a folio and the threads that fault it) and blocks of equal size may be
//! swapped, folio and threads together. Otherwise only threads with identical
//! programs are interchangeable. Every property is invariant under these renamings:
//! they keep roles, programs and folio kinds, and hazards are global.

use faultline_protocol::{
    FolioId, FolioState, MAX_FOLIOS, MAX_THREADS, Machine, Op, Program, Renaming, Tid, World,
};

/// The interchangeable threads (and folios) of one machine.
#[derive(Debug)]
pub(crate) struct Symmetry {
    classes: Vec<Class>,
}

#[derive(Debug)]
struct Class {
    /// Blocks of threads; with `swap_blocks`, one per folio, in folio order.
    blocks: Vec<Block>,
    /// Whether equal-size blocks may be swapped (folio with its threads).
    swap_blocks: bool,
    /// Block indices ordered by size (then folio).
    by_size: Vec<usize>,
    /// Runs of equal-size blocks in `by_size`: start and length.
    runs: Vec<(usize, usize)>,
    /// Where each block's threads start in one flat array of the class's threads.
    offsets: Vec<usize>,
}

impl Class {
    fn new(blocks: Vec<Block>, swap_blocks: bool) -> Class {
        let mut by_size: Vec<usize> = (0..blocks.len()).collect();
        by_size.sort_by_key(|&i| blocks[i].threads.len());
        let mut runs = Vec::new();
        let mut start = 0;
        for k in 1..=by_size.len() {
            if k == by_size.len()
                || blocks[by_size[k]].threads.len() != blocks[by_size[start]].threads.len()
            {
                runs.push((start, k - start));
                start = k;
            }
        }
        let offsets = blocks
            .iter()
            .scan(0, |at, b| {
                let start = *at;
                *at += b.threads.len();
                Some(start)
            })
            .collect();
        Class {
            blocks,
            swap_blocks,
            by_size,
            runs,
            offsets,
        }
    }
}

#[derive(Debug)]
struct Block {
    /// The block's folio (only with `swap_blocks`).
    folio: Option<FolioId>,
    /// Its threads, ascending.
    threads: Vec<Tid>,
}

/// What identifies a thread's situation in a state, independent of its id (and, in a
/// block class, of its folio's id).
type Key = [u8; 10];

impl Symmetry {
    /// The symmetry of `m`, or `None` when no two threads are interchangeable.
    pub(crate) fn new(m: &Machine) -> Option<Symmetry> {
        let n = m.threads().len();
        let mut class_of: Vec<Option<usize>> = vec![None; n];
        let mut groups: Vec<Vec<Tid>> = Vec::new();
        for t in m.tids() {
            if class_of[t.index()].is_some() {
                continue;
            }
            let sig = signature(m, t, true);
            let members: Vec<Tid> = m
                .tids()
                .filter(|&u| class_of[u.index()].is_none() && signature(m, u, true) == sig)
                .collect();
            for u in &members {
                class_of[u.index()] = Some(groups.len());
            }
            groups.push(members);
        }
        let mut classes = Vec::new();
        for members in groups {
            if let Some(c) = block_class(m, &members) {
                classes.push(c);
                continue;
            }
            // Only identical programs are interchangeable.
            let mut rest = members;
            while let Some(&first) = rest.first() {
                let sig = signature(m, first, false);
                let (same, other): (Vec<Tid>, Vec<Tid>) =
                    rest.iter().partition(|&&u| signature(m, u, false) == sig);
                if same.len() > 1 {
                    classes.push(Class::new(
                        vec![Block {
                            folio: None,
                            threads: same,
                        }],
                        false,
                    ));
                }
                rest = other;
            }
        }
        let s = Symmetry { classes };
        (s.group_size() > 1).then_some(s)
    }

    /// The number of renamings in the group.
    pub(crate) fn group_size(&self) -> u64 {
        let fact = |k: usize| (1..=k as u64).product::<u64>();
        let mut g = 1u64;
        for c in &self.classes {
            for b in &c.blocks {
                g = g.saturating_mul(fact(b.threads.len()));
            }
            if c.swap_blocks {
                let mut sizes: Vec<usize> = c.blocks.iter().map(|b| b.threads.len()).collect();
                sizes.sort_unstable();
                for run in sizes.chunk_by(|a, b| a == b) {
                    g = g.saturating_mul(fact(run.len()));
                }
            }
        }
        g
    }

    /// The representative of `w`'s orbit and the renaming `r` with
    /// `w.renamed(r) == representative`.
    pub(crate) fn canonical(&self, m: &Machine, w: &World) -> (World, Renaming) {
        let r = self.renaming(m, w);
        if r == Renaming::default() {
            return (*w, r);
        }
        (w.renamed(m.shape(), &r), r)
    }

    /// The renaming that maps `w` onto its orbit's representative. Allocation-free
    /// and small on the stack: it runs on every successor.
    pub(crate) fn renaming(&self, m: &Machine, w: &World) -> Renaming {
        let mut r = Renaming::default();
        // A class's threads, block after block (blocks are disjoint sets of threads).
        let mut flat = [([0u8; 10], Tid(0)); MAX_THREADS];
        for c in &self.classes {
            let nb = c.blocks.len();
            let span = |i: usize| c.offsets[i]..c.offsets[i] + c.blocks[i].threads.len();
            // Per block: its threads sorted by key.
            for (i, b) in c.blocks.iter().enumerate() {
                let out = &mut flat[span(i)];
                for (slot, &t) in out.iter_mut().zip(&b.threads) {
                    *slot = (key(m, w, t, b.folio), t);
                }
                out.sort_unstable();
            }
            let sorted = &flat;
            // Which block's contents land in which block's slots: equal-size blocks,
            // in folio order, receive the blocks in the order of their keys.
            let mut dest = [0usize; MAX_FOLIOS];
            for (i, d) in dest.iter_mut().enumerate().take(nb) {
                *d = i;
            }
            if c.swap_blocks {
                let fkey = |i: usize| c.blocks[i].folio.map_or(0, |f| folio_key(w, f));
                let cmp = |a: usize, b: usize| {
                    let n = c.blocks[a].threads.len();
                    fkey(a).cmp(&fkey(b)).then_with(|| {
                        sorted[span(a)]
                            .iter()
                            .map(|x| x.0)
                            .cmp(sorted[span(b)][..n].iter().map(|x| x.0))
                    })
                };
                for &(start, len) in &c.runs {
                    let mut src = [0usize; MAX_FOLIOS];
                    for (k, s) in src.iter_mut().enumerate().take(len) {
                        *s = c.by_size[start + k];
                    }
                    src[..len].sort_by(|&a, &b| cmp(a, b));
                    for k in 0..len {
                        dest[src[k]] = c.by_size[start + k];
                    }
                }
            }
            for (i, b) in c.blocks.iter().enumerate() {
                let target = &c.blocks[dest[i]];
                if let (Some(from), Some(to)) = (b.folio, target.folio) {
                    r.folios[from.index()] = to;
                }
                for ((_, t), slot) in sorted[span(i)].iter().zip(&target.threads) {
                    r.threads[t.index()] = *slot;
                }
            }
        }
        r
    }
}

/// The block class of `members`, if their folios can be swapped with them.
fn block_class(m: &Machine, members: &[Tid]) -> Option<Class> {
    let mut blocks: Vec<Block> = Vec::new();
    for &t in members {
        let named = named_folios(m.threads()[t.index()].program.ops());
        let [f] = named[..] else { return None };
        match blocks.iter_mut().find(|b| b.folio == Some(f)) {
            Some(b) => b.threads.push(t),
            None => blocks.push(Block {
                folio: Some(f),
                threads: vec![t],
            }),
        }
    }
    if blocks.len() < 2 {
        return None;
    }
    let spec0 = &m.folios()[blocks[0].folio?.index()];
    for b in &blocks {
        let f = b.folio?;
        let spec = &m.folios()[f.index()];
        if spec.backend != faultline_protocol::Backend::Disk
            || (spec.backend, spec.start) != (spec0.backend, spec0.start)
        {
            return None;
        }
        // Nobody else names it.
        let outsider = m.tids().any(|u| {
            !members.contains(&u) && named_folios(m.threads()[u.index()].program.ops()).contains(&f)
        });
        if outsider {
            return None;
        }
    }
    blocks.sort_by_key(|b| b.folio);
    Some(Class::new(blocks, true))
}

/// The folios a program names.
fn named_folios(ops: impl Iterator<Item = Op>) -> Vec<FolioId> {
    let mut out: Vec<FolioId> = Vec::new();
    for f in ops.filter_map(|op| op.named_folio()) {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// A thread's role and program as comparable data; with `erase_folios`, folio ids
/// are blanked.
fn signature(m: &Machine, t: Tid, erase_folios: bool) -> (String, Vec<(String, Option<u8>)>) {
    let spec = &m.threads()[t.index()];
    let p: &Program = &spec.program;
    let ops = p
        .instrs()
        .iter()
        .map(|i| {
            let op = if erase_folios {
                i.op.with_named_folio(FolioId(0))
            } else {
                i.op
            };
            (
                format!("{op:?}@{}", i.site),
                op.label().map(|l| p.target(l)),
            )
        })
        .collect();
    (format!("{:?}", spec.role), ops)
}

/// Thread `t`'s situation in `w`. In a block class (`own` is its folio) the folio it
/// refers to is recorded as "its own", so blocks compare by shape, not by folio id.
fn key(m: &Machine, w: &World, t: Tid, own: Option<FolioId>) -> Key {
    let th = w.thread(t);
    let s = m.shape();
    let folio_reg = match (th.folio, own) {
        (None, _) => 0xff,
        (Some(f), Some(o)) if f == o => 0,
        (Some(f), _) => f.0 + 1,
    };
    let vma_reg = th.vma.map_or(0xff, |v| v.0 | u8::from(th.stale) << 7);
    let mmap = u8::from(w.mmap.writer() == Some(t)) | u8::from(w.mmap.readers().contains(t)) << 1;
    let queued = w
        .mmap
        .queue()
        .position(|(u, _)| u == t)
        .map_or(0xff, |p| p as u8);
    let mut vma_read = 0u8;
    let mut vma_excl = 0u8;
    for (i, v) in w.vmas[..s.vmas].iter().enumerate() {
        vma_read |= u8::from(v.readers.contains(t)) << i;
        vma_excl |= u8::from(v.excluding == Some(t)) << i;
    }
    let mut locked = 0u8;
    let mut refs = 0u8;
    for (i, f) in w.folios[..s.folios].iter().enumerate() {
        let bit = match own {
            Some(o) if o.index() == i => 0,
            Some(_) => continue, // a block thread touches no other folio
            None => i,
        };
        locked |= u8::from(f.state == FolioState::Locked(t)) << bit;
        refs |= u8::from(f.refs.contains(t)) << bit;
    }
    [
        th.pc, th.flags, vma_reg, folio_reg, mmap, queued, vma_read, vma_excl, locked, refs,
    ]
}

/// A folio's state without thread ids (who holds it is in the threads' keys).
fn folio_key(w: &World, f: FolioId) -> u8 {
    match w.folio(f).state {
        FolioState::Absent => 0,
        FolioState::Uptodate => 1,
        FolioState::ReadIo { claimed, .. } => 2 + u8::from(claimed),
        FolioState::Locked(_) => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn many_faults(n: &str) -> Machine {
        faultline_models::build("upstream", "many-faults", &[("faults".into(), n.into())])
            .expect("builds")
            .machine
    }

    #[test]
    fn many_faults_swaps_same_page_faults_and_same_vma_pages() {
        // faults=4: fault0/fault2 on F0 (f0, f1), fault1/fault3 on F1 (f2, f3).
        assert_eq!(
            Symmetry::new(&many_faults("4")).map(|s| s.group_size()),
            Some(4)
        );
        // faults=5: fault0 and fault4 share f0, so f0's block is bigger than f1's.
        assert_eq!(
            Symmetry::new(&many_faults("5")).map(|s| s.group_size()),
            Some(4)
        );
        assert!(Symmetry::new(&many_faults("1")).is_none());
    }

    #[test]
    fn renamed_states_have_one_representative() {
        let m = many_faults("4");
        let s = Symmetry::new(&m).expect("symmetric");
        // Walk a few states; every renaming in the group maps to the same representative.
        let mut w = m.initial();
        let mut enabled = Vec::new();
        for _ in 0..12 {
            m.enabled(&w, &mut enabled);
            let Some(&step) = enabled.last() else { break };
            w = m.apply(&w, step).expect("enabled");
            let (c, r) = s.canonical(&m, &w);
            assert_eq!(w.renamed(m.shape(), &r), c);
            // Swap fault0 with fault2 and f0 with f1: same orbit.
            let mut g = Renaming::default();
            g.threads.swap(0, 2);
            g.folios.swap(0, 1);
            let other = w.renamed(m.shape(), &g);
            assert_eq!(s.canonical(&m, &other).0, c);
        }
    }

    #[test]
    fn the_renaming_to_the_representative_commutes_with_every_step_of_every_catalog_case() {
        // Symmetry is sound only if the renaming is an automorphism of the step
        // function: renaming a state and then stepping is stepping and then renaming.
        let mut checked = 0;
        for d in faultline_models::DESIGNS {
            for sc in faultline_models::SCENARIOS {
                let m = faultline_models::build(d.id, sc.id, &[])
                    .expect("builds")
                    .machine;
                let Some(s) = Symmetry::new(&m) else { continue };
                let mut frontier = vec![m.initial()];
                let mut enabled = Vec::new();
                for _ in 0..300 {
                    let Some(w) = frontier.pop() else { break };
                    let (c, r) = s.canonical(&m, &w);
                    m.enabled(&w, &mut enabled);
                    for &step in &enabled.clone() {
                        let a = m.apply(&w, step).expect("enabled");
                        let b = m
                            .apply(&c, crate::reduce::rename_step(step, &r))
                            .expect("the renamed step is enabled on the representative");
                        assert_eq!(
                            s.canonical(&m, &a).0,
                            s.canonical(&m, &b).0,
                            "{} {}",
                            d.id,
                            sc.id
                        );
                        frontier.insert(0, a);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
