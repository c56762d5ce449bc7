//! Small integer identifiers and a thread bitset: the world state holds no pointers.

use std::fmt;

/// Most threads a scenario may have (bitsets are `u16`).
pub const MAX_THREADS: usize = 16;
/// Most VMAs a scenario may have.
pub const MAX_VMAS: usize = 8;
/// Most folios a scenario may have.
pub const MAX_FOLIOS: usize = 8;

/// A model thread (a kernel task of the process under test).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tid(pub u8);

/// A VMA of the process, numbered in address order (index 0 has the lowest address).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VmaId(pub u8);

/// A page-cache folio (one page of a mapped file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FolioId(pub u8);

impl Tid {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl VmaId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl FolioId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl fmt::Display for Tid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.0)
    }
}

/// A set of threads as a bitset, in ascending thread order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ThreadSet(pub u16);

impl ThreadSet {
    /// The empty set.
    pub const EMPTY: ThreadSet = ThreadSet(0);

    /// Whether `t` is in the set.
    pub fn contains(self, t: Tid) -> bool {
        self.0 & (1 << t.0) != 0
    }
    /// Adds `t`.
    pub fn insert(&mut self, t: Tid) {
        self.0 |= 1 << t.0;
    }
    /// Removes `t`.
    pub fn remove(&mut self, t: Tid) {
        self.0 &= !(1 << t.0);
    }
    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Number of threads in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    /// The threads in ascending order.
    pub fn iter(self) -> impl Iterator<Item = Tid> {
        (0..16u8).filter(move |i| self.0 & (1 << i) != 0).map(Tid)
    }
}

impl fmt::Display for ThreadSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, t) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{t}")?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_set_is_ordered_and_counts() {
        let mut s = ThreadSet::EMPTY;
        s.insert(Tid(3));
        s.insert(Tid(0));
        s.insert(Tid(15));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![Tid(0), Tid(3), Tid(15)]);
        assert_eq!(s.len(), 3);
        s.remove(Tid(3));
        assert!(!s.contains(Tid(3)));
        assert_eq!(s.to_string(), "{T0,T15}");
    }
}
