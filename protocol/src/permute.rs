//! Renaming threads and folios in a world: the group action symmetry reduction needs.

use crate::folio::FolioState;
use crate::ids::{FolioId, MAX_FOLIOS, MAX_THREADS, ThreadSet, Tid};
use crate::world::{Shape, World};

/// A renaming: thread `t` becomes `threads[t]`, folio `f` becomes `folios[f]`. Both
/// must be permutations of the scenario's ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Renaming {
    /// New id of each thread.
    pub threads: [Tid; MAX_THREADS],
    /// New id of each folio.
    pub folios: [FolioId; MAX_FOLIOS],
}

impl Default for Renaming {
    fn default() -> Self {
        Renaming {
            threads: std::array::from_fn(|i| Tid(i as u8)),
            folios: std::array::from_fn(|i| FolioId(i as u8)),
        }
    }
}

impl Renaming {
    /// The new id of `t`.
    pub fn thread(&self, t: Tid) -> Tid {
        self.threads[t.index()]
    }
    /// The new id of `f`.
    pub fn folio(&self, f: FolioId) -> FolioId {
        self.folios[f.index()]
    }
    /// The inverse renaming.
    pub fn inverse(&self) -> Renaming {
        let mut inv = Renaming::default();
        for (i, t) in self.threads.iter().enumerate() {
            inv.threads[t.index()] = Tid(i as u8);
        }
        for (i, f) in self.folios.iter().enumerate() {
            inv.folios[f.index()] = FolioId(i as u8);
        }
        inv
    }
    fn set(&self, s: ThreadSet) -> ThreadSet {
        let mut out = ThreadSet::EMPTY;
        for t in s.iter() {
            out.insert(self.thread(t));
        }
        out
    }
}

impl World {
    /// This world with threads and folios renamed by `r` (every id in the state:
    /// lock holders, the rwsem queue, references, handles).
    pub fn renamed(&self, shape: &Shape, r: &Renaming) -> World {
        let mut n = *self;
        n.mmap = self.mmap.renamed(|t| r.thread(t));
        for (new, old) in n.vmas[..shape.vmas].iter_mut().zip(&self.vmas) {
            new.readers = r.set(old.readers);
            new.excluding = old.excluding.map(|t| r.thread(t));
        }
        for (i, old) in self.folios[..shape.folios].iter().enumerate() {
            let new = &mut n.folios[r.folios[i].index()];
            new.refs = r.set(old.refs);
            new.state = match old.state {
                FolioState::Locked(t) => FolioState::Locked(r.thread(t)),
                s => s,
            };
        }
        for (i, old) in self.threads[..shape.threads].iter().enumerate() {
            let new = &mut n.threads[r.threads[i].index()];
            *new = *old;
            new.folio = old.folio.map(|f| r.folio(f));
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rwsem::Admission;

    #[test]
    fn renaming_moves_every_thread_id_and_round_trips() {
        let shape = Shape {
            threads: 3,
            vmas: 1,
            folios: 2,
        };
        let mut w = World {
            mmap: crate::rwsem::RwSem::default(),
            vmas: [crate::vma::VmaState::new(false); crate::ids::MAX_VMAS],
            folios: [crate::folio::Folio::new(FolioState::Absent); MAX_FOLIOS],
            threads: [crate::world::ThreadState::default(); MAX_THREADS],
            evictions_left: 0,
            hazards: 0,
        };
        w.mmap.down_read(Tid(0), Admission::Fair);
        w.mmap.down_write(Tid(1), Admission::Fair); // queued behind the reader
        w.folios[0].state = FolioState::Locked(Tid(2));
        w.folios[0].refs.insert(Tid(2));
        w.threads[2].folio = Some(FolioId(0));
        w.threads[2].pc = 5;
        let mut r = Renaming::default();
        r.threads[0] = Tid(2);
        r.threads[2] = Tid(0);
        r.folios.swap(0, 1);
        let n = w.renamed(&shape, &r);
        assert!(n.mmap.readers().contains(Tid(2)));
        assert_eq!(n.mmap.queue().next().map(|(t, _)| t), Some(Tid(1)));
        assert_eq!(n.folios[1].state, FolioState::Locked(Tid(0)));
        assert!(n.folios[1].refs.contains(Tid(0)));
        assert_eq!(n.threads[0].folio, Some(FolioId(1)));
        assert_eq!(n.threads[0].pc, 5);
        assert_eq!(n.renamed(&shape, &r.inverse()), w);
    }
}
