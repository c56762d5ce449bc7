//! The pair table of [`super::Store`]: per state its key (the ids of its two halves,
//! in index order, so the keys double as the BFS queue) and a hash table of
//! (fingerprint, index) entries split into [`SHARDS`] shards by the fingerprint's low
//! bits.
//!
//! Why shards: numbering a new state is serial (BFS order decides its index), but
//! placing it in the hash table, the one cache miss per new state, need not be. The
//! inserting thread numbers new states and appends their keys at once, keeps them in
//! a small map of this batch's states (`recent`, cached) for duplicates, and queues
//! each for its shard; [`Flush`] parts then place the queued entries, one part per
//! thread, each owning its shards. The shard count is fixed, so the tables, like the
//! numbering, are the same for any thread count. A shard's growth is reserved when a
//! state is numbered (so a refused allocation ends the search at that state, as the
//! memory budget does), and done by the flush.

use std::collections::{HashMap, TryReserveError};
use std::hash::{BuildHasherDefault, Hasher};

/// Shards of the hash table (a power of two: a shard is the fingerprint's low bits).
pub(super) const SHARDS: usize = 64;

/// Keys per arena page.
const KEY_PAGE: usize = 1 << 13;

/// Slots of a shard's first table.
const FIRST_SLOTS: usize = 16;

/// One shard of the hash table, and its entries numbered but not placed yet.
#[derive(Debug)]
pub(crate) struct Shard {
    /// `fingerprint << 32 | index + 1`; 0 is an empty slot.
    table: Vec<u64>,
    /// Entries, counting the queued ones.
    len: usize,
    /// The table's size after the next flush.
    target: usize,
    /// Room reserved for the grown table (while `target` exceeds the table).
    spare: Vec<u64>,
    /// Numbered, not yet placed: (fingerprint, index).
    queued: Vec<(u32, u32)>,
}

impl Shard {
    fn new() -> Shard {
        Shard {
            table: vec![0; FIRST_SLOTS],
            len: 0,
            target: FIRST_SLOTS,
            spare: Vec::new(),
            queued: Vec::new(),
        }
    }

    fn bytes(&self) -> usize {
        8 * (self.table.capacity() + self.spare.capacity())
    }

    /// Places the queued entries, growing the table first if reserved.
    fn flush(&mut self) {
        if self.target > self.table.len() {
            let mut grown = std::mem::take(&mut self.spare);
            grown.resize(self.target, 0); // within the reserved capacity
            for &e in &self.table {
                if e != 0 {
                    place(&mut grown, e);
                }
            }
            self.table = grown;
        }
        for &(fp, idx) in &self.queued {
            place(&mut self.table, u64::from(fp) << 32 | u64::from(idx + 1));
        }
        self.queued.clear();
    }
}

/// Puts entry `e` in the first free slot from its home.
fn place(table: &mut [u64], e: u64) {
    let size = table.len();
    let mut slot = home((e >> 32) as u32, size);
    while table[slot] != 0 {
        slot = next_slot(slot, size);
    }
    table[slot] = e;
}

/// A fingerprint's home slot in a table of `size` (its high bits: the low ones chose
/// the shard).
fn home(fp: u32, size: usize) -> usize {
    ((u64::from(fp) * size as u64) >> 32) as usize
}

fn next_slot(slot: usize, size: usize) -> usize {
    if slot + 1 == size { 0 } else { slot + 1 }
}

fn crowded(entries: usize, table: usize) -> bool {
    4 * entries > 3 * table
}

/// The size a crowded table of `size` slots grows to (by half: its load stays
/// between 1/2 and 3/4).
fn grown(size: usize) -> usize {
    size + size / 2
}

fn shard_of(fp: u32) -> usize {
    fp as usize & (SHARDS - 1)
}

/// Keys are already mixed: the map's hash is the key's finaliser.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = super::mix(self.0 << 8 | u64::from(b));
        }
    }
    fn write_u64(&mut self, k: u64) {
        self.0 = super::mix(k);
    }
}

/// Keys in index order and the sharded table over them.
#[derive(Debug)]
pub(crate) struct Pairs {
    keys: Vec<Vec<u64>>,
    len: usize,
    shards: Vec<Shard>,
    /// Sum of the shards' bytes.
    table_bytes: usize,
    /// The states numbered since the last flush, by key.
    recent: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
}

impl Pairs {
    pub(super) fn new() -> Pairs {
        let shards: Vec<Shard> = (0..SHARDS).map(|_| Shard::new()).collect();
        Pairs {
            keys: Vec::new(),
            len: 0,
            table_bytes: shards.iter().map(Shard::bytes).sum(),
            shards,
            recent: HashMap::default(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn bytes(&self) -> usize {
        self.keys.len() * KEY_PAGE * 8 + self.table_bytes
    }

    /// The most bytes held once one more state with fingerprint `fp` is numbered and
    /// flushed (the old and the grown table exist together during the flush).
    pub(super) fn peak_after_one(&self, fp: u32) -> usize {
        let mut peak = self.bytes();
        if self.len.is_multiple_of(KEY_PAGE) {
            peak += KEY_PAGE * 8;
        }
        let s = &self.shards[shard_of(fp)];
        if crowded(s.len + 1, s.target) {
            peak = peak + 8 * grown(s.target) - 8 * s.spare.capacity();
        }
        peak
    }

    pub(super) fn key(&self, i: u32) -> u64 {
        let i = i as usize;
        self.keys[i / KEY_PAGE][i % KEY_PAGE]
    }

    /// The table entry at `fp`'s home slot: a plain read whose only use is to bring
    /// that cache line in before [`Pairs::candidate`] needs it.
    pub(super) fn touch(&self, fp: u32) -> u64 {
        let t = &self.shards[shard_of(fp)].table;
        t[home(fp, t.len())]
    }

    /// The first placed index whose fingerprint is `fp`, scanning from its home slot
    /// (`None`: an empty slot came first).
    pub(super) fn candidate(&self, fp: u32) -> Option<u32> {
        self.probe(fp, |_| true)
    }

    /// The placed state with `key`.
    pub(super) fn placed(&self, key: u64, fp: u32) -> Option<u32> {
        self.probe(fp, |i| self.key(i) == key)
    }

    /// The first placed index with fingerprint `fp` that `accept` takes, scanning from
    /// its home slot to the first empty one.
    #[inline]
    fn probe(&self, fp: u32, accept: impl Fn(u32) -> bool) -> Option<u32> {
        let t = &self.shards[shard_of(fp)].table;
        let mut slot = home(fp, t.len());
        loop {
            let e = t[slot];
            if e == 0 {
                return None;
            }
            if (e >> 32) as u32 == fp && accept((e as u32) - 1) {
                return Some((e as u32) - 1);
            }
            slot = next_slot(slot, t.len());
        }
    }

    /// The state with `key` numbered since the last flush.
    pub(super) fn recent(&self, key: u64) -> Option<u32> {
        self.recent.get(&key).copied()
    }

    /// Numbers a new state (known to be absent) and queues it for its shard.
    pub(super) fn push(&mut self, key: u64, fp: u32) -> Result<u32, TryReserveError> {
        let idx = self.len as u32;
        let s = &mut self.shards[shard_of(fp)];
        if crowded(s.len + 1, s.target) {
            let target = grown(s.target);
            self.table_bytes -= 8 * s.spare.capacity();
            s.spare = Vec::new();
            s.spare.try_reserve_exact(target)?;
            self.table_bytes += 8 * s.spare.capacity();
            s.target = target;
        }
        s.queued.try_reserve(1)?;
        self.recent.try_reserve(1)?;
        if self.len.is_multiple_of(KEY_PAGE) {
            let mut page = Vec::new();
            page.try_reserve_exact(KEY_PAGE)?;
            self.keys.try_reserve(1)?;
            self.keys.push(page);
        }
        s.len += 1;
        s.queued.push((fp, idx));
        self.recent.insert(key, idx);
        if let Some(page) = self.keys.last_mut() {
            page.push(key);
        }
        self.len += 1;
        Ok(idx)
    }

    /// States numbered but not yet placed.
    pub(super) fn queued(&self) -> usize {
        self.recent.len()
    }

    /// The queued entries split in at most `n` parts of whole shards, each to be run
    /// on its own thread; then [`Pairs::flushed`].
    pub(super) fn flush_parts(&mut self, n: usize) -> Vec<Flush<'_>> {
        let per = SHARDS.div_ceil(n.clamp(1, SHARDS));
        self.shards.chunks_mut(per).map(Flush).collect()
    }

    /// After every part of [`Pairs::flush_parts`] ran.
    pub(super) fn flushed(&mut self) {
        debug_assert!(self.shards.iter().all(|s| s.queued.is_empty()));
        self.recent.clear();
        self.table_bytes = self.shards.iter().map(Shard::bytes).sum();
    }
}

/// Some shards' queued entries, to be placed on one thread.
pub(crate) struct Flush<'a>(&'a mut [Shard]);

impl Flush<'_> {
    pub(crate) fn run(self) {
        for s in self.0 {
            s.flush();
        }
    }
}
