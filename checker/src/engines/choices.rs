//! Nondeterministic choices (`choose`, which FUSE request, which I/O completion or
//! eviction) made visible to engines that only explore thread interleavings.
//!
//! loom has no choice primitive, and shuttle's DFS feeds random data from a fixed seed,
//! so neither explores a choice. The exhaustive engines therefore run the model once per
//! *choice vector*: the i-th choice point of an execution takes `prefix[i]`, or 0 past
//! the prefix. Every execution reports the choice points it met past its prefix; each
//! alternative `k > 0` there becomes a new vector (the prefix, the zeros taken, then
//! `k`). Every (interleaving, choices) pair is then covered by the run whose vector is
//! its choice sequence without trailing zeros: that vector's parent run took the same
//! choices up to the point where it branched off, over every interleaving. The sampling
//! engines draw each choice from a seeded generator instead.

use std::collections::HashSet;

/// The choice source of one run.
#[derive(Debug, Default)]
pub(crate) struct Oracle {
    prefix: Vec<u8>,
    /// Values taken in the current execution, with their arity.
    taken: Vec<(u8, u8)>,
    /// `Some(state)`: draw choices at random (splitmix64) instead of from the prefix.
    random: Option<u64>,
}

impl Oracle {
    /// Exhaustive mode with this prefix.
    pub(crate) fn exhaustive(prefix: Vec<u8>) -> Oracle {
        Oracle {
            prefix,
            ..Oracle::default()
        }
    }

    /// Random mode, reseeded per execution by [`Oracle::begin`] (shuttle's sampling).
    #[cfg(feature = "shuttle")]
    pub(crate) fn random(seed: u64) -> Oracle {
        Oracle {
            random: Some(seed),
            ..Oracle::default()
        }
    }

    /// Starts an execution; in random mode `index` picks the execution's own stream.
    pub(crate) fn begin(&mut self, seed: u64, index: u64) {
        self.taken.clear();
        if self.random.is_some() {
            self.random = Some(splitmix(seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        }
    }

    /// Picks one of `arity` alternatives.
    pub(crate) fn choose(&mut self, arity: u8) -> u8 {
        let pos = self.taken.len();
        let v = match &mut self.random {
            Some(state) => {
                *state = splitmix(*state);
                (*state % u64::from(arity.max(1))) as u8
            }
            None => self.prefix.get(pos).copied().unwrap_or(0).min(arity - 1),
        };
        self.taken.push((v, arity));
        v
    }

    /// The values taken so far in this execution.
    pub(crate) fn values(&self) -> Vec<u8> {
        self.taken.iter().map(|&(v, _)| v).collect()
    }

    /// The new vectors the choice just made reveals, if it lies past the prefix
    /// (exhaustive mode). Called at every choice, not at the end of an execution:
    /// shuttle abandons an execution its scheduler stops without running the rest of
    /// the model closure. (Collecting at the end lost every vector of a stopped
    /// execution, so shuttle explored only the all-zero choices: a regression the
    /// differential test caught on folio-holder with admission=steal.)
    pub(crate) fn children_of_last(&self, seen: &mut HashSet<Vec<u8>>) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let j = self.taken.len().wrapping_sub(1);
        if self.random.is_some() || self.taken.is_empty() || j < self.prefix.len() {
            return out;
        }
        for k in 1..self.taken[j].1 {
            let mut v: Vec<u8> = self.taken[..j].iter().map(|&(v, _)| v).collect();
            v.push(k);
            if seen.insert(v.clone()) {
                out.push(v);
            }
        }
        out
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two binary choices in every execution: the vectors must cover all four paths,
    /// each exactly once.
    #[test]
    fn vectors_cover_every_choice_sequence_once() {
        let mut seen = HashSet::new();
        let mut work = vec![Vec::new()];
        let mut paths = Vec::new();
        while let Some(prefix) = work.pop() {
            let mut o = Oracle::exhaustive(prefix);
            o.begin(0, 0);
            let a = o.choose(2);
            work.extend(o.children_of_last(&mut seen));
            let b = o.choose(if a == 1 { 3 } else { 2 });
            work.extend(o.children_of_last(&mut seen));
            paths.push((a, b));
        }
        paths.sort_unstable();
        assert_eq!(paths, vec![(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]);
    }

    #[test]
    #[cfg(feature = "shuttle")]
    fn random_mode_is_reproducible_and_in_range() {
        let draw = |seed| {
            let mut o = Oracle::random(seed);
            o.begin(seed, 3);
            (0..50).map(|_| o.choose(3)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        assert!(draw(7).iter().all(|&v| v < 3));
    }
}
