//! One worker's part of the visited set: the packed states it owns in the order it
//! stored them (level after level, so a level is a range of indices), a hashbrown table
//! of their indices, and per state its parent link (the parent's owner and index there)
//! and the step code that led to it. States are compared in full: exact.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use serde::{Deserialize, Serialize};

/// A stored state anywhere in the cluster: its owner worker and its index there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) struct Gid {
    /// The owning worker.
    pub worker: u32,
    /// The index in the owner's part.
    pub idx: u32,
}

impl Gid {
    /// The parent of the initial state.
    pub(crate) const ROOT: Gid = Gid {
        worker: u32::MAX,
        idx: u32::MAX,
    };
}

/// Why a new state could not be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Full {
    /// This worker's share of the state budget.
    States,
    /// This worker's share of the memory budget.
    Memory,
    /// The system refused an allocation.
    Alloc,
}

/// What [`Part::insert`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Insert {
    /// Stored as a new state at this index.
    New(u32),
    /// Already stored at this index.
    Old(u32),
}

/// Bytes a stored state costs beside its packed bytes: link (12) and table slot (5).
const PER_STATE: usize = 17;

/// The fixed seed every process hashes with, so all agree on each state's owner.
const SEED: u64 = 0x6661_756c_746c_696e; // "faultlin"

/// One worker's stored states.
pub(crate) struct Part {
    stride: usize,
    states: Vec<u8>,
    links: Vec<(Gid, u16)>,
    table: HashTable<u32>,
    hasher: FixedState,
    max_states: u64,
    max_bytes: u64,
}

/// The hash of a packed state (the same in every process of one build).
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    FixedState::with_seed(SEED).hash_one(bytes)
}

/// The worker among `peers` that owns the state with hash `h`: the hash is mixed
/// again (murmur3's finalizer) so the owner does not fix the table's bits.
pub(crate) fn owner(h: u64, peers: usize) -> u32 {
    let mut x = h ^ (h >> 33);
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    (x % peers as u64) as u32
}

impl Part {
    /// An empty part for states of `stride` bytes, within these budgets.
    pub(crate) fn new(stride: usize, max_states: u64, max_bytes: u64) -> Part {
        Part {
            stride,
            states: Vec::new(),
            links: Vec::new(),
            table: HashTable::new(),
            hasher: FixedState::with_seed(SEED),
            max_states,
            max_bytes,
        }
    }

    /// States stored.
    pub(crate) fn len(&self) -> u32 {
        self.links.len() as u32
    }

    /// Bytes held.
    pub(crate) fn bytes(&self) -> u64 {
        (self.states.capacity() + 12 * self.links.capacity() + 5 * self.table.capacity()) as u64
    }

    /// The packed state at `idx`.
    pub(crate) fn get(&self, idx: u32) -> &[u8] {
        let at = idx as usize * self.stride;
        &self.states[at..at + self.stride]
    }

    /// The parent link and step code of the state at `idx`.
    pub(crate) fn link(&self, idx: u32) -> (Gid, u16) {
        self.links[idx as usize]
    }

    /// Stores `bytes` (hash `h`) reached from `parent` by step `code`, unless stored.
    pub(crate) fn insert(
        &mut self,
        bytes: &[u8],
        h: u64,
        parent: Gid,
        code: u16,
    ) -> Result<Insert, Full> {
        let (states, stride) = (&self.states, self.stride);
        let eq = |&i: &u32| &states[i as usize * stride..(i as usize + 1) * stride] == bytes;
        if let Some(&i) = self.table.find(h, eq) {
            return Ok(Insert::Old(i));
        }
        if u64::from(self.len()) >= self.max_states {
            return Err(Full::States);
        }
        if self.bytes() + (self.stride + PER_STATE) as u64 * u64::from(self.len().max(64))
            > self.max_bytes
        {
            // The next growth would double what is held.
            return Err(Full::Memory);
        }
        let idx = self.len();
        let hasher = &self.hasher;
        self.states.try_reserve(stride).map_err(|_| Full::Alloc)?;
        self.links.try_reserve(1).map_err(|_| Full::Alloc)?;
        let states = &self.states;
        self.table
            .try_reserve(1, |&i| {
                hasher.hash_one(&states[i as usize * stride..(i as usize + 1) * stride])
            })
            .map_err(|_| Full::Alloc)?;
        self.states.extend_from_slice(bytes);
        self.links.push((parent, code));
        let states = &self.states;
        self.table.insert_unique(h, idx, |&i| {
            hasher.hash_one(&states[i as usize * stride..(i as usize + 1) * stride])
        });
        Ok(Insert::New(idx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_stored_once_and_keeps_its_first_parent_link() {
        let mut part = Part::new(3, u64::MAX, u64::MAX);
        let a = [1u8, 2, 3];
        let p = Gid { worker: 1, idx: 7 };
        assert_eq!(part.insert(&a, hash(&a), p, 5), Ok(Insert::New(0)));
        assert_eq!(part.insert(&a, hash(&a), Gid::ROOT, 9), Ok(Insert::Old(0)));
        assert_eq!(part.link(0), (p, 5));
        assert_eq!(part.get(0), &a);
        assert_eq!(
            part.insert(&[0, 0, 0], hash(&[0, 0, 0]), p, 1),
            Ok(Insert::New(1))
        );
    }

    #[test]
    fn a_full_state_budget_refuses_new_states_but_finds_old_ones() {
        let mut part = Part::new(1, 1, u64::MAX);
        assert_eq!(
            part.insert(&[1], hash(&[1]), Gid::ROOT, 0),
            Ok(Insert::New(0))
        );
        assert_eq!(
            part.insert(&[2], hash(&[2]), Gid::ROOT, 0),
            Err(Full::States)
        );
        assert_eq!(
            part.insert(&[1], hash(&[1]), Gid::ROOT, 0),
            Ok(Insert::Old(0))
        );
    }

    #[test]
    fn owners_spread_states_over_every_worker() {
        let mut count = [0u32; 4];
        for i in 0u32..4000 {
            count[owner(hash(&i.to_le_bytes()), 4) as usize] += 1;
        }
        assert!(count.iter().all(|&c| (800..1200).contains(&c)), "{count:?}");
    }
}
