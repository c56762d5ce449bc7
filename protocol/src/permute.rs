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
