//! The visited set: each packed state split in two halves, each half interned in its
//! own table, and the state stored as the pair of half ids (8 bytes) in an
//! open-addressing hash table of (fingerprint, index) pairs, sharded so that threads
//! place new states together ([`pairs`]); a parent link plus step code per state.
//!
//! Why halves: the halves of the reachable states repeat a lot (many-faults faults=4:
//! 566,209 states of 57 bytes have only 111,014 distinct first and 78,540 distinct
//! second 32/25-byte halves), so a state costs 8 bytes of key instead of its packed
//! length, plus a share of the half tables that shrinks as the space grows. This is
//! the two-leaf case of the tree compression of Laarman, van de Pol and Weber
//! ("Parallel recursive state compression for free", SPIN 2011). It is exact: every
//! half and every key is compared in full on a fingerprint match, so two states are
//! one only when their bytes are equal.
//!
//! States are appended in breadth-first order, so the key arena doubles as the BFS
//! queue. Each table entry keeps 32 bits of the hash beside its index: a probe reads
//! the arena only when the fingerprints match, and a rehash never reads a stored key.
//! A table grows by half at 3/4 load (slots are placed by multiplying the fingerprint
//! by the size, so any size works): its load stays between 1/2 and 3/4, where
//! doubling would leave it as low as 3/8. Every growth uses `try_reserve`, so an allocation the
//! system refuses ends the search with a report ([`Full::Alloc`]) instead of an abort;
//! and the store asks itself for its peak after one more state before it grows, so a memory
//! budget is never overshot.
//!
//! Lookups need only `&Store`: the search's workers look their successors up
//! ([`Store::find_batch`]) while the store stands still, and only the ones not found
//! reach [`Store::insert_unseen`] on the inserting thread, which numbers them; the
//! workers then place them in the pair table's shards ([`Store::flush_parts`]).

use std::ops::Deref;

mod pairs;

pub(crate) use pairs::Flush;
use pairs::Pairs;

/// Bytes per arena page at most (pages never move, so growth never copies an arena;
/// small pages keep a small search small, as a tight memory budget needs).
const PAGE_BYTES: usize = 1 << 16;

/// Links per page.
const LINK_PAGE: usize = 1 << 12;

/// Longest packed state (the protocol's limits keep states far below it).
const MAX_STRIDE: usize = 512;

/// States looked up together by [`Store::find_batch`], their cache misses overlapping.
const GROUP: usize = 16;

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

/// What [`Store::find_batch`] found for one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The state is stored, at this index.
    Stored(StateIdx),
    /// The state is not stored; these of its halves are (ids stay valid as the
    /// store grows, so an insert need not look them up again).
    Halves([Option<u32>; 2]),
}

/// The hashes of a packed state's two halves (computed off the main thread).
pub(crate) type Hashes = [u64; 2];

/// A packed state read back from the store.
pub(crate) struct Packed {
    len: usize,
    buf: [u8; MAX_STRIDE],
}

impl Deref for Packed {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Fixed-stride byte strings, each stored once, with ids in insertion order.
#[derive(Debug)]
struct Intern {
    stride: usize,
    /// Entries per page: `1 << page_shift`, at most [`PAGE_BYTES`] of them.
    page_shift: u32,
    pages: Vec<Vec<u8>>,
    len: usize,
    /// `fingerprint << 32 | id + 1`; 0 is an empty slot.
    table: Vec<u64>,
}

impl Intern {
    fn new(stride: usize) -> Intern {
        let per_page = (PAGE_BYTES / stride.max(1)).max(1);
        Intern {
            stride,
            page_shift: per_page.ilog2(),
            pages: Vec::new(),
            len: 0,
            table: vec![0; 1024],
        }
    }

    fn page_entries(&self) -> usize {
        1 << self.page_shift
    }

    fn page_bytes(&self) -> usize {
        self.page_entries() * self.stride.max(1)
    }

    fn bytes(&self) -> usize {
        self.pages.len() * self.page_bytes() + 8 * self.table.capacity()
    }

    fn crowded(entries: usize, table: usize) -> bool {
        4 * entries > 3 * table
    }

    /// The most bytes held while `extra` more entries are added, counting the moment a
    /// growing table exists twice.
    fn peak_after(&self, extra: usize) -> usize {
        let n = self.len + extra;
        let mut peak = self.bytes();
        peak += n
            .div_ceil(self.page_entries())
            .saturating_sub(self.pages.len())
            * self.page_bytes();
        let mut table = self.table.len();
        while Self::crowded(n, table) {
            let bigger = Self::grown(table);
            peak += 8 * (table + bigger); // old and new table during the rehash
            table = bigger;
        }
        peak
    }

    fn get(&self, id: u32) -> &[u8] {
        let i = id as usize;
        let at = (i & (self.page_entries() - 1)) * self.stride;
        &self.pages[i >> self.page_shift][at..at + self.stride]
    }

    fn home(fp: u32, size: usize) -> usize {
        ((u64::from(fp) * size as u64) >> 32) as usize
    }

    /// The size a crowded table of `size` slots grows to.
    fn grown(size: usize) -> usize {
        size + size / 2
    }

    fn next_slot(slot: usize, size: usize) -> usize {
        if slot + 1 == size { 0 } else { slot + 1 }
    }

    /// The id of `bytes`, or the empty slot where it belongs.
    fn probe(&self, bytes: &[u8], fp: u32) -> Result<u32, usize> {
        let size = self.table.len();
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
            slot = Self::next_slot(slot, size);
        }
    }

    /// The table entry at `fp`'s home slot: a plain read whose only use is to bring
    /// that cache line in before [`Intern::probe`] needs it.
    fn touch(&self, fp: u32) -> u64 {
        self.table[Self::home(fp, self.table.len())]
    }

    /// Adds `bytes`, known to be absent, whose empty slot `probe` returned.
    fn add(
        &mut self,
        bytes: &[u8],
        fp: u32,
        slot: usize,
    ) -> Result<u32, std::collections::TryReserveError> {
        if self.len.is_multiple_of(self.page_entries()) {
            let mut page = Vec::new();
            page.try_reserve_exact(self.page_bytes())?;
            self.pages.try_reserve(1)?;
            self.pages.push(page);
        }
        let slot = if Self::crowded(self.len + 1, self.table.len()) {
            self.grow()?;
            self.probe(bytes, fp).err().unwrap_or(slot)
        } else {
            slot
        };
        let id = self.len as u32;
        self.table[slot] = u64::from(fp) << 32 | u64::from(id + 1);
        if let Some(page) = self.pages.last_mut() {
            page.extend_from_slice(bytes);
        }
        self.len += 1;
        Ok(id)
    }

    /// Grows the table, placing entries by their fingerprints alone.
    fn grow(&mut self) -> Result<(), std::collections::TryReserveError> {
        let size = Self::grown(self.table.len());
        let mut table: Vec<u64> = Vec::new();
        table.try_reserve_exact(size)?;
        table.resize(size, 0);
        for &e in &self.table {
            if e == 0 {
                continue;
            }
            let mut slot = Self::home((e >> 32) as u32, size);
            while table[slot] != 0 {
                slot = Self::next_slot(slot, size);
            }
            table[slot] = e;
        }
        self.table = table;
        Ok(())
    }
}

/// The visited set with parent links.
#[derive(Debug)]
pub(crate) struct Store {
    stride: usize,
    /// Where the second half starts.
    split: usize,
    halves: [Intern; 2],
    /// Per state, its two half ids (8 bytes), and the table over them.
    pairs: Pairs,
    /// Per state, its parent index and step code (6 bytes, little-endian), paged.
    links: Vec<Vec<[u8; LINK_BYTES]>>,
}

const NO_PARENT: u32 = u32::MAX;

impl Store {
    pub(crate) fn new(stride: usize) -> Store {
        assert!(stride <= MAX_STRIDE, "packed state of {stride} bytes");
        let split = stride.div_ceil(2);
        Store {
            stride,
            split,
            halves: [Intern::new(split), Intern::new(stride - split)],
            pairs: Pairs::new(),
            links: Vec::new(),
        }
    }

    /// Number of stored states.
    pub(crate) fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Bytes held (half tables, state keys and table, links).
    pub(crate) fn bytes(&self) -> usize {
        self.halves[0].bytes()
            + self.halves[1].bytes()
            + self.pairs.bytes()
            + self.links.len() * LINK_PAGE * LINK_BYTES
    }

    /// The most bytes held once one more state, whose pair fingerprint is `fp`, is
    /// inserted (it may add a half to each half table) and flushed, counting the
    /// moment a growing table exists twice.
    fn peak_bytes_after_one(&self, fp: u32) -> usize {
        let n = self.len() + 1;
        self.halves[0].peak_after(1)
            + self.halves[1].peak_after(1)
            + self.pairs.peak_after_one(fp)
            + n.div_ceil(LINK_PAGE).max(self.links.len()) * LINK_PAGE * LINK_BYTES
    }

    /// The hashes [`Store::insert_unseen`] needs for `bytes`.
    pub(crate) fn hashes(&self, bytes: &[u8]) -> Hashes {
        [hash(&bytes[..self.split]), hash(&bytes[self.split..])]
    }

    /// The packed state at `i`.
    pub(crate) fn get(&self, i: StateIdx) -> Packed {
        let key = self.pairs.key(i);
        let mut out = Packed {
            len: self.stride,
            buf: [0; MAX_STRIDE],
        };
        out.buf[..self.split].copy_from_slice(self.halves[0].get(key as u32));
        out.buf[self.split..self.stride].copy_from_slice(self.halves[1].get((key >> 32) as u32));
        out
    }

    fn link_at(&self, i: StateIdx) -> (u32, u16) {
        let i = i as usize;
        let l = self.links[i / LINK_PAGE][i % LINK_PAGE];
        (
            u32::from_le_bytes([l[0], l[1], l[2], l[3]]),
            u16::from_le_bytes([l[4], l[5]]),
        )
    }

    /// Parent index and step code of `i` (`None` for the initial state).
    pub(crate) fn link(&self, i: StateIdx) -> Option<(StateIdx, u16)> {
        let (p, step) = self.link_at(i);
        (p != NO_PARENT).then_some((p, step))
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

    /// Looks up a batch of packed states without changing the store: `found[k]` is
    /// the index of the `k`th state of `bytes` (`stride` bytes each, `hashes[k]` its
    /// hashes) if it is stored. Several threads may look up at once, after a flush.
    ///
    /// The lookups go in passes over the whole batch (touch the half tables' home
    /// slots; probe the halves and touch the pair table's home slots; find each pair
    /// slot's candidate and touch its key; compare), so the cache misses of different
    /// states are in flight together instead of each waiting for the one before: a
    /// plain read stands in for a prefetch, which would need `unsafe`.
    pub(crate) fn find_batch(&self, bytes: &[u8], hashes: &[Hashes], found: &mut Vec<Lookup>) {
        debug_assert_eq!(self.pairs.queued(), 0, "lookup before a flush");
        found.clear();
        for (g, group) in hashes.chunks(GROUP).enumerate() {
            let at = g * GROUP * self.stride;
            self.find_group(&bytes[at..at + group.len() * self.stride], group, found);
        }
    }

    /// [`Store::find_batch`] for at most [`GROUP`] states: few enough that the lines
    /// and pages the first passes touch are still cached when the last needs them.
    fn find_group(&self, bytes: &[u8], hashes: &[Hashes], found: &mut Vec<Lookup>) {
        let fps = |h: &Hashes| [(h[0] >> 32) as u32, (h[1] >> 32) as u32];
        let mut touched = 0u64;
        for h in hashes {
            let f = fps(h);
            touched ^= self.halves[0].touch(f[0]) ^ self.halves[1].touch(f[1]);
        }
        // Per state: its stored halves, and its pair key and fingerprint when both are.
        let mut halves = [[None::<u32>; 2]; GROUP];
        let mut keys = [None::<(u64, u32)>; GROUP];
        for (((k, h), key), ids) in hashes.iter().enumerate().zip(&mut keys).zip(&mut halves) {
            let f = fps(h);
            let state = &bytes[k * self.stride..(k + 1) * self.stride];
            *ids = [
                self.halves[0].probe(&state[..self.split], f[0]).ok(),
                self.halves[1].probe(&state[self.split..], f[1]).ok(),
            ];
            if let [Some(a), Some(b)] = *ids {
                let fp = key_fp(a, b);
                touched ^= self.pairs.touch(fp);
                *key = Some((key_of(a, b), fp));
            }
        }
        let mut candidates = [None::<u32>; GROUP];
        for (key, c) in keys.iter().zip(&mut candidates).take(hashes.len()) {
            *c = key.and_then(|(_, fp)| self.pairs.candidate(fp));
            if let Some(id) = *c {
                touched ^= self.pairs.key(id);
            }
        }
        std::hint::black_box(touched);
        for ((key, c), ids) in keys.iter().zip(candidates).zip(halves).take(hashes.len()) {
            let stored = match (key, c) {
                (Some((key, _)), Some(id)) if self.pairs.key(id) == *key => Some(id),
                (Some((key, fp)), Some(_)) => self.pairs.placed(*key, *fp),
                _ => None,
            };
            found.push(stored.map_or(Lookup::Halves(ids), Lookup::Stored));
        }
    }

    /// Inserts `bytes` unless present, as long as a new state fits in `max_states` and
    /// the projected peak in `max_bytes`. A new state is numbered at once and placed
    /// in the table by the next flush.
    pub(crate) fn insert(
        &mut self,
        bytes: &[u8],
        parent: Option<StateIdx>,
        step: u16,
        limits: (u64, u64),
    ) -> Insert {
        let h = self.hashes(bytes);
        self.insert_hashed(bytes, h, None, parent, step, limits)
    }

    /// [`Store::insert`] for a state [`Store::find_batch`] did not find since the last
    /// flush, with `h = self.hashes(bytes)` and the ids of the halves it found: only
    /// the states numbered since that flush can hold it.
    pub(crate) fn insert_unseen(
        &mut self,
        bytes: &[u8],
        h: Hashes,
        known: [Option<u32>; 2],
        parent: Option<StateIdx>,
        step: u16,
        limits: (u64, u64),
    ) -> Insert {
        self.insert_hashed(bytes, h, Some(known), parent, step, limits)
    }

    /// [`Store::insert`] with `h = self.hashes(bytes)`; `unseen`: the halves a lookup
    /// since the last flush found of a state it did not find.
    fn insert_hashed(
        &mut self,
        bytes: &[u8],
        h: Hashes,
        unseen: Option<[Option<u32>; 2]>,
        parent: Option<StateIdx>,
        step: u16,
        limits: (u64, u64),
    ) -> Insert {
        debug_assert_eq!(bytes.len(), self.stride);
        let parts = [&bytes[..self.split], &bytes[self.split..]];
        let fps = [(h[0] >> 32) as u32, (h[1] >> 32) as u32];
        let (found, key, fp) = self.halves_of(bytes, h, unseen.unwrap_or_default());
        if let (Ok(_), Ok(_)) = (found[0], found[1]) {
            let old = match unseen {
                Some(_) => None,
                None => self.pairs.placed(key, fp),
            };
            if let Some(i) = old.or_else(|| self.pairs.recent(key)) {
                return Insert::Old(i);
            }
        }
        if self.len() as u64 >= limits.0 || self.len() as u64 >= u64::from(u32::MAX - 1) {
            return Insert::Full(Full::States);
        }
        if self.peak_bytes_after_one(fp) as u64 > limits.1 {
            return Insert::Full(Full::Memory);
        }
        for k in 0..2 {
            if let Err(s) = found[k]
                && self.halves[k].add(parts[k], fps[k], s).is_err()
            {
                return Insert::Full(Full::Alloc);
            }
        }
        if self.reserve_link().is_err() {
            return Insert::Full(Full::Alloc);
        }
        let idx = match self.pairs.push(key, fp) {
            Ok(i) => i,
            Err(_) => return Insert::Full(Full::Alloc),
        };
        if let Some(page) = self.links.last_mut() {
            let mut l = [0u8; LINK_BYTES];
            l[..4].copy_from_slice(&parent.unwrap_or(NO_PARENT).to_le_bytes());
            l[4..].copy_from_slice(&step.to_le_bytes());
            page.push(l);
        }
        Insert::New(idx)
    }

    /// Per half, its id or the empty slot where it belongs; and the state's key and
    /// fingerprint (a new half gets the next id: the key is known before anything is
    /// added).
    fn halves_of(
        &self,
        bytes: &[u8],
        h: Hashes,
        known: [Option<u32>; 2],
    ) -> ([Result<u32, usize>; 2], u64, u32) {
        let parts = [&bytes[..self.split], &bytes[self.split..]];
        let found: [Result<u32, usize>; 2] = std::array::from_fn(|k| match known[k] {
            Some(id) => Ok(id),
            None => self.halves[k].probe(parts[k], (h[k] >> 32) as u32),
        });
        let ids: [u32; 2] = std::array::from_fn(|k| match found[k] {
            Ok(id) => id,
            Err(_) => self.halves[k].len as u32,
        });
        (found, key_of(ids[0], ids[1]), key_fp(ids[0], ids[1]))
    }

    /// States inserted since the last flush.
    pub(crate) fn queued(&self) -> usize {
        self.pairs.queued()
    }

    /// The placing of the states inserted since the last flush, in at most `n` parts
    /// that may run on separate threads; [`Store::flushed`] once all ran.
    pub(crate) fn flush_parts(&mut self, n: usize) -> Vec<Flush<'_>> {
        self.pairs.flush_parts(n)
    }

    /// After every part of [`Store::flush_parts`] ran.
    pub(crate) fn flushed(&mut self) {
        self.pairs.flushed();
    }

    /// Places the states inserted since the last flush, on this thread.
    pub(crate) fn flush(&mut self) {
        for part in self.flush_parts(1) {
            part.run();
        }
        self.flushed();
    }

    /// Room for one more link: a fresh page when the last is full.
    fn reserve_link(&mut self) -> Result<(), std::collections::TryReserveError> {
        if self.len().is_multiple_of(LINK_PAGE) {
            let mut page = Vec::new();
            page.try_reserve_exact(LINK_PAGE)?;
            self.links.try_reserve(1)?;
            self.links.push(page);
        }
        Ok(())
    }
}

/// The pair table's key for half ids `a` and `b`.
fn key_of(a: u32, b: u32) -> u64 {
    u64::from(b) << 32 | u64::from(a)
}

/// The pair table's fingerprint for half ids `a` and `b`.
fn key_fp(a: u32, b: u32) -> u32 {
    (mix(u64::from(a) << 32 | u64::from(b)) >> 32) as u32
}

/// Bytes of one link: parent index and step code.
const LINK_BYTES: usize = 6;

/// A 64-bit finaliser (murmur3's `fmix64`).
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
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
            let (_, _, fp) = s.halves_of(&b, s.hashes(&b), [None; 2]);
            let before = s.peak_bytes_after_one(fp);
            let r = s.insert(&b, i.checked_sub(1), (i % 100) as u16, NO_LIMIT);
            assert_eq!(r, Insert::New(i));
            if i % 1000 == 999 {
                s.flush();
            }
            assert!(
                s.bytes() <= before,
                "peak_bytes_after_one underestimates at {i}"
            );
        }
        s.flush();
        for i in 0..40_000u32 {
            let b = [(i & 0xff) as u8, (i >> 8) as u8, 7];
            assert_eq!(s.insert(&b, None, 0, NO_LIMIT), Insert::Old(i));
        }
        assert_eq!(s.len(), 40_000);
        assert_eq!(
            &*s.get(39_999),
            &[(39_999 & 0xff) as u8, (39_999 >> 8) as u8, 7]
        );
        assert_eq!(s.link(0), None);
        assert_eq!(s.link(4321), Some((4320, 21)));
        assert_eq!(s.path(3), vec![1, 2, 3]);
        assert_eq!(&*s.get(258), &[2, 1, 7]);
    }

    #[test]
    fn repeated_halves_are_stored_once() {
        // 90,000 states of 64 bytes from 300 x 300 distinct halves: a state costs its
        // 8-byte key, link and table share, well below its 64 bytes.
        let mut s = Store::new(64);
        let state = |i: usize| {
            let mut b = [0u8; 64];
            b[..2].copy_from_slice(&((i % 300) as u16).to_le_bytes());
            b[32..34].copy_from_slice(&((i / 300) as u16).to_le_bytes());
            b
        };
        for i in 0..90_000 {
            assert_eq!(
                s.insert(&state(i), None, 0, NO_LIMIT),
                Insert::New(i as StateIdx)
            );
        }
        assert_eq!(&*s.get(12_345), &state(12_345));
        assert_eq!(s.insert(&state(777), None, 0, NO_LIMIT), Insert::Old(777));
        assert_eq!(s.halves[0].len + s.halves[1].len, 600);
        assert!(s.bytes() < 90_000 * 48, "{} bytes", s.bytes());
    }

    #[test]
    fn a_batch_lookup_finds_exactly_the_stored_states() {
        // Even states stored, odd ones not; more than one lookup group; and two
        // halves with one fingerprint, so a fingerprint match is not taken as a find.
        let mut s = Store::new(3);
        let state = |i: u32| [(i & 0xff) as u8, (i >> 8) as u8, 9];
        for i in (0..3000u32).step_by(2) {
            assert_eq!(s.insert(&state(i), None, 0, NO_LIMIT), Insert::New(i / 2));
        }
        let mut bytes = Vec::new();
        let mut hashes = Vec::new();
        for i in 0..3000u32 {
            bytes.extend_from_slice(&state(i));
            hashes.push(s.hashes(&state(i)));
        }
        s.flush();
        let mut found = Vec::new();
        s.find_batch(&bytes, &hashes, &mut found);
        let found: Vec<_> = found
            .into_iter()
            .map(|l| match l {
                Lookup::Stored(i) => Some(i),
                Lookup::Halves(_) => None,
            })
            .collect();
        let want: Vec<_> = (0..3000u32)
            .map(|i| (i % 2 == 0).then_some(i / 2))
            .collect();
        assert_eq!(found, want);

        const SAME: Hashes = [7 << 32, 7 << 32];
        let mut s = Store::new(2);
        s.insert_hashed(&[1, 5], SAME, None, None, 0, NO_LIMIT);
        s.insert_hashed(&[2, 5], SAME, None, None, 0, NO_LIMIT);
        s.flush();
        let mut found = Vec::new();
        s.find_batch(&[2, 5, 3, 5, 1, 5], &[SAME; 3], &mut found);
        let half = Some(0); // [5], the second half of all three
        assert_eq!(
            found,
            vec![
                Lookup::Stored(1),
                Lookup::Halves([None, half]),
                Lookup::Stored(0)
            ]
        );
    }

    #[test]
    fn states_numbered_since_the_last_flush_are_found_and_any_split_of_the_flush_places_them_alike()
    {
        // Duplicates within a batch are found before the flush (the states are not in
        // the table yet); flushing on 1, 2, 3 or 64 parts builds the same tables, in
        // which a lookup then finds every state.
        let state = |i: u32| [(i & 0xff) as u8, (i >> 8) as u8, (i >> 16) as u8, 1];
        let build = |parts: usize| {
            let mut s = Store::new(4);
            for batch in 0..4u32 {
                for i in batch * 5000..(batch + 1) * 5000 {
                    assert_eq!(s.insert(&state(i), None, 0, NO_LIMIT), Insert::New(i));
                    let back = i - i % 5000 + (i * 7) % (i % 5000 + 1);
                    assert_eq!(s.insert(&state(back), None, 0, NO_LIMIT), Insert::Old(back));
                }
                assert_eq!(s.queued(), 5000);
                let bytes = s.bytes();
                for part in s.flush_parts(parts) {
                    part.run();
                }
                s.flushed();
                assert_eq!(s.queued(), 0);
                assert!(
                    s.bytes() <= bytes,
                    "a flush grew the store past its reservation"
                );
            }
            s
        };
        let one = build(1);
        let mut bytes = Vec::new();
        let mut hashes = Vec::new();
        for i in 0..20_000u32 {
            bytes.extend_from_slice(&state(i));
            hashes.push(one.hashes(&state(i)));
        }
        let mut found = Vec::new();
        one.find_batch(&bytes, &hashes, &mut found);
        assert!(
            found
                .iter()
                .enumerate()
                .all(|(i, l)| *l == Lookup::Stored(i as StateIdx))
        );
        for parts in [2, 3, 64] {
            assert_eq!(
                format!("{:?}", build(parts)),
                format!("{one:?}"),
                "{parts} parts"
            );
        }
    }

    #[test]
    fn equal_fingerprints_still_compare_the_states() {
        // Same fingerprint, different bytes: both stored, each found again.
        const SAME: Hashes = [7 << 32, 7 << 32];
        let mut s = Store::new(2);
        assert_eq!(
            s.insert_hashed(&[1, 5], SAME, None, None, 0, NO_LIMIT),
            Insert::New(0)
        );
        assert_eq!(
            s.insert_hashed(&[2, 5], SAME, None, None, 0, NO_LIMIT),
            Insert::New(1)
        );
        assert_eq!(
            s.insert_hashed(&[2, 5], SAME, None, None, 0, NO_LIMIT),
            Insert::Old(1)
        );
        assert_eq!(
            s.insert_hashed(&[1, 5], SAME, None, None, 0, NO_LIMIT),
            Insert::Old(0)
        );
        assert_eq!(&*s.get(0), &[1, 5]);
        assert_eq!(&*s.get(1), &[2, 5]);
    }
}
