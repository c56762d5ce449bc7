//! The visited set: packed states in one fixed-stride arena, an open-addressing hash
//! table of indices, and a parent link plus step code per state.
//!
//! States are appended in breadth-first order, so the arena doubles as the BFS queue and
//! memory per state is `stride + 10` bytes plus table slack.

const EMPTY: u32 = u32::MAX;

/// Index of a stored state (BFS discovery order).
pub(crate) type StateIdx = u32;

/// The visited set with parent links.
#[derive(Debug)]
pub(crate) struct Store {
    stride: usize,
    arena: Vec<u8>,
    table: Vec<u32>,
    parent: Vec<u32>,
    step: Vec<u16>,
}

impl Store {
    pub(crate) fn new(stride: usize) -> Store {
        Store {
            stride,
            arena: Vec::new(),
            table: vec![EMPTY; 1024],
            parent: Vec::new(),
            step: Vec::new(),
        }
    }

    /// Number of stored states.
    pub(crate) fn len(&self) -> usize {
        self.parent.len()
    }

    /// Bytes held (arena, table, links).
    pub(crate) fn bytes(&self) -> usize {
        self.arena.capacity() + 4 * self.table.capacity() + 6 * self.parent.capacity()
    }

    /// The packed state at `i`.
    pub(crate) fn get(&self, i: StateIdx) -> &[u8] {
        let at = i as usize * self.stride;
        &self.arena[at..at + self.stride]
    }

    /// Parent index and step code of `i` (`None` for the initial state).
    pub(crate) fn link(&self, i: StateIdx) -> Option<(StateIdx, u16)> {
        let p = self.parent[i as usize];
        (p != EMPTY).then(|| (p, self.step[i as usize]))
    }

    /// Inserts `bytes` unless present. Returns its index and whether it is new.
    pub(crate) fn insert(
        &mut self,
        bytes: &[u8],
        parent: Option<StateIdx>,
        step: u16,
    ) -> (StateIdx, bool) {
        debug_assert_eq!(bytes.len(), self.stride);
        if 2 * (self.len() + 1) > self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let mut slot = hash(bytes) as usize & mask;
        loop {
            let i = self.table[slot];
            if i == EMPTY {
                let idx = self.len() as StateIdx;
                self.table[slot] = idx;
                self.arena.extend_from_slice(bytes);
                self.parent.push(parent.unwrap_or(EMPTY));
                self.step.push(step);
                return (idx, true);
            }
            if self.get(i) == bytes {
                return (i, false);
            }
            slot = (slot + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        let mut table = vec![EMPTY; size];
        for i in 0..self.len() as StateIdx {
            let mut slot = hash(self.get(i)) as usize & (size - 1);
            while table[slot] != EMPTY {
                slot = (slot + 1) & (size - 1);
            }
            table[slot] = i;
        }
        self.table = table;
    }
}

/// A fast 64-bit hash of a byte string (word-at-a-time multiply-rotate, murmur-style
/// finaliser). The visited set needs speed and spread, not DoS resistance.
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    let mut w = [0u8; 8];
    w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_are_deduplicated_across_growth_and_keep_links() {
        let mut s = Store::new(3);
        for i in 0..5000u32 {
            let b = [(i & 0xff) as u8, (i >> 8) as u8, 7];
            let (idx, new) = s.insert(&b, i.checked_sub(1), (i % 100) as u16);
            assert!(new);
            assert_eq!(idx, i);
        }
        for i in 0..5000u32 {
            let b = [(i & 0xff) as u8, (i >> 8) as u8, 7];
            assert_eq!(s.insert(&b, None, 0), (i, false));
        }
        assert_eq!(s.len(), 5000);
        assert_eq!(s.link(0), None);
        assert_eq!(s.link(4321), Some((4320, 21)));
        assert_eq!(s.get(258), &[2, 1, 7]);
    }
}
