//! The visited set: packed states in one fixed-stride arena, an open-addressing hash
//! table of (fingerprint, index) pairs, and a parent link plus step code per state.
//!
//! States are appended in breadth-first order, so the arena doubles as the BFS queue.
//! Each table entry keeps 32 bits of the state's hash beside its index: a probe reads
//! the arena only when the fingerprints match, and a rehash never reads a stored
//! state. The table grows at 5/8 load, before probe chains get long. Every growth
//! uses `try_reserve`, so an allocation the system refuses ends the search with a
//! report ([`Full::Alloc`]) instead of an abort; and the explorer asks
//! [`Store::peak_bytes_after`] before it grows, so a memory budget is never overshot.

/// States per arena page (pages never move, so growth never copies the arena).
const PAGE_STATES: usize = 1 << 14;

/// Index of a stored state (BFS discovery order).
pub(crate) type StateIdx = u32;

/// What [`Store::insert`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Insert {
    /// Stored as a new state.
    New(StateIdx),
    /// Already stored.
    Old(StateIdx),
    /// New, but a budget is full: not stored.
    Full(Full),
}

/// Why a new state could not be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// The state budget.
    States,
    /// The memory budget.
    Memory,
    /// The system refused an allocation.
    Alloc,
}

/// The visited set with parent links.
#[derive(Debug)]
pub(crate) struct Store {
    stride: usize,
    pages: Vec<Vec<u8>>,
    /// `fingerprint << 32 | index + 1`; 0 is an empty slot.
    table: Vec<u64>,
    parent: Vec<u32>,
    step: Vec<u16>,
}

const NO_PARENT: u32 = u32::MAX;

impl Store {
    pub(crate) fn new(stride: usize) -> Store {
        Store {
            stride,
            pages: Vec::new(),
            table: vec![0; 1024],
            parent: Vec::new(),
            step: Vec::new(),
        }
    }

    /// Number of stored states.
    pub(crate) fn len(&self) -> usize {
        self.parent.len()
    }

    fn page_bytes(&self) -> usize {
        PAGE_STATES * self.stride
    }

    /// Bytes held (arena pages, table, links).
    pub(crate) fn bytes(&self) -> usize {
        self.pages.len() * self.page_bytes()
            + 8 * self.table.capacity()
            + 4 * self.parent.capacity()
            + 2 * self.step.capacity()
    }

    fn crowded(states: usize, table: usize) -> bool {
        8 * states > 5 * table
    }

    /// The most bytes held while `extra` more states are inserted, counting the moment a
    /// growing table or link vector exists twice.
    pub(crate) fn peak_bytes_after(&self, extra: usize) -> usize {
        let n = self.len() + extra;
        let mut peak = self.bytes();
        let pages = n.div_ceil(PAGE_STATES);
        peak += pages.saturating_sub(self.pages.len()) * self.page_bytes();
        let mut table = self.table.len();
        while Self::crowded(n, table) {
            peak += 8 * (table + 2 * table); // old and new table during the rehash
            table *= 2;
        }
        let cap = self.parent.capacity();
        if n > cap {
            // Vec doubling (at least 4 elements), old and new alive during the copy.
            peak += 6 * (cap + (2 * cap).max(n).max(4));
        }
        peak
    }

    /// The packed state at `i`.
    pub(crate) fn get(&self, i: StateIdx) -> &[u8] {
        let i = i as usize;
        let at = (i % PAGE_STATES) * self.stride;
        &self.pages[i / PAGE_STATES][at..at + self.stride]
    }

    /// Parent index and step code of `i` (`None` for the initial state).
    pub(crate) fn link(&self, i: StateIdx) -> Option<(StateIdx, u16)> {
        let p = self.parent[i as usize];
        (p != NO_PARENT).then(|| (p, self.step[i as usize]))
    }

    /// The step codes from the initial state to `idx`.
    pub(crate) fn path(&self, mut idx: StateIdx) -> Vec<u16> {
        let mut steps = Vec::new();
        while let Some((parent, code)) = self.link(idx) {
            steps.push(code);
            idx = parent;
        }
        steps.reverse();
        steps
    }

    /// Inserts `bytes` unless present, as long as a new state fits in `max_states` and
    /// the projected peak in `max_bytes`.
    pub(crate) fn insert(
        &mut self,
        bytes: &[u8],
        parent: Option<StateIdx>,
        step: u16,
        limits: (u64, u64),
    ) -> Insert {
        self.insert_hashed(bytes, hash(bytes), parent, step, limits)
    }

    /// [`Store::insert`] with `h = hash(bytes)` computed by the caller (possibly on
    /// another thread).
    pub(crate) fn insert_hashed(
        &mut self,
        bytes: &[u8],
        h: u64,
        parent: Option<StateIdx>,
        step: u16,
        limits: (u64, u64),
    ) -> Insert {
        debug_assert_eq!(bytes.len(), self.stride);
        let fp = (h >> 32) as u32;
        let slot = match self.probe(bytes, fp) {
            Ok(i) => return Insert::Old(i),
            Err(slot) => slot,
        };
        if self.len() as u64 >= limits.0 || self.len() as u64 >= u64::from(u32::MAX - 1) {
            return Insert::Full(Full::States);
        }
        if self.peak_bytes_after(1) as u64 > limits.1 {
            return Insert::Full(Full::Memory);
        }
        if self.reserve_one().is_err() {
            return Insert::Full(Full::Alloc);
        }
        let slot = if Self::crowded(self.len() + 1, self.table.len()) {
            if self.grow().is_err() {
                return Insert::Full(Full::Alloc);
            }
            self.probe(bytes, fp).err().unwrap_or(slot)
        } else {
            slot
        };
        let idx = self.len() as StateIdx;
        self.table[slot] = u64::from(fp) << 32 | u64::from(idx + 1);
        if let Some(page) = self.pages.last_mut() {
            page.extend_from_slice(bytes);
        }
        self.parent.push(parent.unwrap_or(NO_PARENT));
        self.step.push(step);
        Insert::New(idx)
    }

    /// Room for one more state: a fresh arena page when the last is full, and link
    /// vectors with spare capacity.
    fn reserve_one(&mut self) -> Result<(), std::collections::TryReserveError> {
        if self.len() % PAGE_STATES == 0 {
            let mut page = Vec::new();
            page.try_reserve_exact(self.page_bytes())?;
            self.pages.try_reserve(1)?;
            self.pages.push(page);
        }
        self.parent.try_reserve(1)?;
        self.step.try_reserve(1)?;
        Ok(())
    }

    fn home(fp: u32, size: usize) -> usize {
        ((u64::from(fp) * size as u64) >> 32) as usize
    }

    /// The index of `bytes`, or the empty slot where it belongs.
    fn probe(&self, bytes: &[u8], fp: u32) -> Result<StateIdx, usize> {
        let mask = self.table.len() - 1;
        let mut slot = Self::home(fp, self.table.len());
        loop {
            let e = self.table[slot];
            if e == 0 {
                return Err(slot);
            }
            if (e >> 32) as u32 == fp {
                let i = (e as u32) - 1;
                if self.get(i) == bytes {
                    return Ok(i);
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Doubles the table, placing entries by their fingerprints alone.
    fn grow(&mut self) -> Result<(), std::collections::TryReserveError> {
        let size = self.table.len() * 2;
        let mut table: Vec<u64> = Vec::new();
        table.try_reserve_exact(size)?;
        table.resize(size, 0);
        for &e in &self.table {
            if e == 0 {
                continue;
            }
            let mut slot = Self::home((e >> 32) as u32, size);
            while table[slot] != 0 {
                slot = (slot + 1) & (size - 1);
            }
            table[slot] = e;
        }
        self.table = table;
        Ok(())
    }
}

/// A fast 64-bit hash of a byte string (word-at-a-time multiply-rotate, murmur-style
/// finaliser). The visited set needs speed and spread, not DoS resistance.
pub(crate) fn hash(bytes: &[u8]) -> u64 {
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

    const NO_LIMIT: (u64, u64) = (u64::MAX, u64::MAX);

    #[test]
    fn a_full_budget_refuses_new_states_but_finds_old_ones() {
        let mut s = Store::new(2);
        assert_eq!(s.insert(&[1, 1], None, 0, (1, u64::MAX)), Insert::New(0));
        assert_eq!(
            s.insert(&[2, 2], Some(0), 0, (1, u64::MAX)),
            Insert::Full(Full::States)
        );
        assert_eq!(s.insert(&[1, 1], Some(0), 0, (1, u64::MAX)), Insert::Old(0));
        assert_eq!(
            s.insert(&[2, 2], Some(0), 0, (9, 10)),
            Insert::Full(Full::Memory)
        );
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn inserts_are_deduplicated_across_growth_and_keep_links() {
        let mut s = Store::new(3);
        for i in 0..40_000u32 {
            let b = [(i & 0xff) as u8, (i >> 8) as u8, 7];
            let before = s.peak_bytes_after(1);
            let r = s.insert(&b, i.checked_sub(1), (i % 100) as u16, NO_LIMIT);
            assert_eq!(r, Insert::New(i));
            assert!(
                s.bytes() <= before,
                "peak_bytes_after underestimates at {i}"
            );
        }
        for i in 0..40_000u32 {
            let b = [(i & 0xff) as u8, (i >> 8) as u8, 7];
            assert_eq!(s.insert(&b, None, 0, NO_LIMIT), Insert::Old(i));
        }
        assert_eq!(s.len(), 40_000);
        assert_eq!(
            s.get(39_999),
            &[(39_999 & 0xff) as u8, (39_999 >> 8) as u8, 7]
        );
        assert_eq!(s.link(0), None);
        assert_eq!(s.link(4321), Some((4320, 21)));
        assert_eq!(s.path(3), vec![1, 2, 3]);
        assert_eq!(s.get(258), &[2, 1, 7]);
    }

    #[test]
    fn equal_fingerprints_still_compare_the_states() {
        // Same fingerprint, different bytes: both stored, each found again.
        let mut s = Store::new(1);
        assert_eq!(
            s.insert_hashed(&[1], 7 << 32, None, 0, NO_LIMIT),
            Insert::New(0)
        );
        assert_eq!(
            s.insert_hashed(&[2], 7 << 32, None, 0, NO_LIMIT),
            Insert::New(1)
        );
        assert_eq!(
            s.insert_hashed(&[2], 7 << 32, None, 0, NO_LIMIT),
            Insert::Old(1)
        );
        assert_eq!(
            s.insert_hashed(&[1], 7 << 32, None, 0, NO_LIMIT),
            Insert::Old(0)
        );
    }
}
