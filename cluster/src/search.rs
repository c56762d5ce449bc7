//! The search on one worker: the native engine's breadth-first search, its states
//! partitioned over all workers by hash, in rounds that timely's progress tracking
//! separates (a round starts only when no worker can still send anything for an
//! earlier one). Level `d` takes three rounds:
//!
//! - `3d` (insert): the owners store the persistent-set successors of level `d - 1`;
//!   for a successor whose parent asks (cycle proviso), an owner that had it stored at
//!   depth `d - 1` or shallower tells the parent to expand the rest ([`Body::Rest`]);
//! - `3d + 1` (rest): those parents expand the rest of their successors;
//! - `3d + 2` (expand): the owners store those too, and level `d` is complete: every
//!   worker watches and expands its states of level `d`, and says what it found.
//!
//! The proviso asks exactly what the one-process search asks ("stored at this depth
//! or shallower"), and a level's states do not depend on the order of its inserts, so
//! the states, transitions and verdicts are those of one process.

use faultline_checker::{Expansion, Successors};

use crate::parcel::{Body, Hit, Link, Parcel, Status, Totals};
use crate::part::{Gid, Insert, Part, hash, owner};

/// Bytes of successors buffered per receiver before they are sent.
const FLUSH_BYTES: usize = 1 << 16;

/// One worker's state of the search.
pub(crate) struct Level {
    me: u32,
    peers: usize,
    succ: Successors,
    pub part: Part,
    /// Index of each level's first state.
    levels: Vec<u32>,
    /// States `0..expanded` have been expanded.
    expanded: u32,
    transitions: u64,
    depth: u32,
    /// What every worker said so far, joined, with this worker's own news.
    pub known: Status,
    /// This worker's news not yet sent.
    news: bool,
    /// No more states to store or expand: something was found everywhere, a model
    /// error, or a budget.
    stopped: bool,
    seq: u64,
    /// Per receiver: successors not yet sent.
    outbox: Vec<(Vec<u8>, Vec<Link>)>,
    /// Full outboxes, ready to send.
    ready: Vec<Parcel>,
    scratch: Expansion,
}

impl Level {
    /// Worker `me` of `peers`, with its share of the budget.
    pub(crate) fn new(
        me: u32,
        peers: usize,
        succ: Successors,
        max_states: u64,
        max_bytes: u64,
    ) -> Level {
        let watched = succ.safety().len();
        Level {
            me,
            peers,
            part: Part::new(succ.stride(), max_states, max_bytes),
            succ,
            levels: Vec::new(),
            expanded: 0,
            transitions: 0,
            depth: 0,
            known: Status {
                found: vec![None; watched],
                ..Status::default()
            },
            news: false,
            stopped: false,
            seq: 0,
            outbox: vec![(Vec::new(), Vec::new()); peers],
            ready: Vec::new(),
            scratch: Expansion::default(),
        }
    }

    /// The step function.
    pub(crate) fn successors(&self) -> &Successors {
        &self.succ
    }

    /// This worker's index.
    pub(crate) fn me(&self) -> u32 {
        self.me
    }

    /// A parcel outside the search's rounds (the walks): no sequence needed.
    pub(crate) fn message(&self, to: u32, body: Body) -> Parcel {
        Parcel {
            to,
            from: self.me,
            seq: 0,
            body,
        }
    }

    /// The initial state, for its owner to store in round 0 (`None` elsewhere).
    pub(crate) fn initial(&self) -> Option<Parcel> {
        let mut bytes = Vec::new();
        self.succ.initial(&mut bytes);
        (owner(hash(&bytes), self.peers) == self.me).then(|| Parcel {
            to: self.me,
            from: self.me,
            seq: 0,
            body: Body::States {
                bytes,
                links: vec![Link {
                    parent: Gid::ROOT,
                    code: 0,
                    ask: false,
                }],
            },
        })
    }

    /// This worker's totals.
    pub(crate) fn totals(&self) -> Totals {
        Totals {
            states: u64::from(self.part.len()),
            transitions: self.transitions,
            depth: self.depth,
            bytes: self.part.bytes(),
            unexplored: u64::from(self.part.len() - self.expanded),
        }
    }

    fn stop_now(&self) -> bool {
        self.known.full.is_some()
            || self.known.error.is_some()
            || self.known.found.iter().all(Option::is_some)
    }

    /// Runs round `t` on what arrived for it; returns what to send (at `t`, so it
    /// arrives in round `t + 1`) and whether round `t + 2` has work here even if
    /// nothing arrives for it.
    pub(crate) fn round(&mut self, t: u64, mut got: Vec<Parcel>) -> (Vec<Parcel>, bool) {
        got.sort_by_key(|p| (p.from, p.seq));
        let mut out = Vec::new();
        for p in &got {
            if let Body::Status(s) = &p.body {
                self.known.join(s);
            }
        }
        let level = (t / 3) as u32;
        let mut later = false;
        if !self.stopped && self.stop_now() {
            self.stop();
        }
        if !self.stopped {
            match t % 3 {
                0 => later = self.insert_round(&got, &mut out),
                1 => self.rest_round(level, &got),
                _ => {
                    self.store_all(&got, None);
                    if !self.stopped {
                        self.expand_level(level);
                    }
                }
            }
            out.append(&mut self.ready);
            self.flush(&mut out, 0);
        }
        if self.news {
            self.news = false;
            for to in 0..self.peers as u32 {
                out.push(self.parcel(to, Body::Status(self.known.clone())));
            }
        }
        (out, later)
    }

    fn parcel(&mut self, to: u32, body: Body) -> Parcel {
        self.seq += 1;
        Parcel {
            to,
            from: self.me,
            seq: self.seq,
            body,
        }
    }

    /// Stops: watches the states stored but never expanded (a property violated there
    /// is found at its depth: every shallower state was expanded), as one process does.
    fn stop(&mut self) {
        self.stopped = true;
        if self.known.full.is_none() {
            return;
        }
        let depth = self.levels.len().saturating_sub(1) as u32;
        for idx in self.expanded..self.part.len() {
            let packed = self.part.get(idx).to_vec();
            if self.succ.expand(&packed, &mut self.scratch).is_ok() {
                self.watch(depth, idx);
            }
        }
    }

    fn watch(&mut self, depth: u32, idx: u32) {
        let at = Gid {
            worker: self.me,
            idx,
        };
        let hit = Hit { depth, at, code: 0 };
        for (k, slot) in self.known.found.iter_mut().enumerate() {
            if self.scratch.watched & 1 << k != 0 && slot.is_none_or(|h| hit < h) {
                *slot = Some(hit);
                self.news = true;
            }
        }
    }

    /// Round `3d`: stores the successors of level `d - 1`; asks parents to expand the
    /// rest where the proviso says so.
    fn insert_round(&mut self, got: &[Parcel], out: &mut Vec<Parcel>) -> bool {
        self.levels.push(self.part.len());
        let shallow = self.part.len();
        let mut rest: Vec<Vec<u32>> = vec![Vec::new(); self.peers];
        self.store_all(got, Some((shallow, &mut rest)));
        for (to, list) in rest.into_iter().enumerate() {
            if !list.is_empty() {
                out.push(self.parcel(to as u32, Body::Rest(list)));
            }
        }
        self.part.len() > shallow
    }

    /// Stores every successor in `got`; with `asks`, notes each parent that asked
    /// about a successor stored before index `shallow` (depth `level - 1` or less).
    fn store_all(&mut self, got: &[Parcel], mut asks: Option<(u32, &mut Vec<Vec<u32>>)>) {
        let stride = self.succ.stride();
        for p in got {
            let Body::States { bytes, links } = &p.body else {
                continue;
            };
            for (k, link) in links.iter().enumerate() {
                let state = &bytes[k * stride..(k + 1) * stride];
                match self.part.insert(state, hash(state), link.parent, link.code) {
                    Ok(Insert::Old(idx)) => {
                        if let Some((shallow, rest)) = asks.as_mut()
                            && link.ask
                            && idx < *shallow
                        {
                            rest[link.parent.worker as usize].push(link.parent.idx);
                        }
                    }
                    Ok(Insert::New(_)) => {}
                    Err(full) => {
                        self.known.full = Some(full);
                        self.news = true;
                        self.stop();
                        return;
                    }
                }
            }
        }
    }

    /// Round `3d + 1`: expands the rest of the asked-for states of level `d - 1`.
    fn rest_round(&mut self, level: u32, got: &[Parcel]) {
        let mut asked: Vec<u32> = got
            .iter()
            .filter_map(|p| match &p.body {
                Body::Rest(list) => Some(list.iter().copied()),
                _ => None,
            })
            .flatten()
            .collect();
        asked.sort_unstable();
        asked.dedup();
        for idx in asked {
            let packed = self.part.get(idx).to_vec();
            if let Err((code, _)) = self.succ.expand_rest(&packed, &mut self.scratch) {
                self.error(level.saturating_sub(1), idx, code);
                return;
            }
            self.send_successors(idx, false);
        }
    }

    fn error(&mut self, depth: u32, idx: u32, code: u16) {
        let hit = Hit {
            depth,
            at: Gid {
                worker: self.me,
                idx,
            },
            code,
        };
        if self.known.error.is_none_or(|h| hit < h) {
            self.known.error = Some(hit);
            self.news = true;
        }
        self.stopped = true;
    }

    /// Round `3d + 2`, once level `d` is stored: watches and expands it.
    fn expand_level(&mut self, level: u32) {
        let end = self.part.len();
        if self.expanded < end {
            self.depth = self.depth.max(level);
        }
        while self.expanded < end {
            let idx = self.expanded;
            let packed = self.part.get(idx).to_vec();
            if let Err((code, _)) = self.succ.expand(&packed, &mut self.scratch) {
                self.error(level, idx, code);
                return;
            }
            self.watch(level, idx);
            let ask = self.scratch.proviso;
            self.send_successors(idx, ask);
            self.expanded += 1;
        }
    }

    /// Puts the successors in `scratch` of state `idx` in the outboxes.
    fn send_successors(&mut self, idx: u32, ask: bool) {
        let stride = self.succ.stride();
        let parent = Gid {
            worker: self.me,
            idx,
        };
        for k in 0..self.scratch.codes.len() {
            let code = self.scratch.codes[k];
            let state = &self.scratch.bytes[k * stride..(k + 1) * stride];
            let to = owner(hash(state), self.peers) as usize;
            let (bytes, links) = &mut self.outbox[to];
            bytes.extend_from_slice(state);
            links.push(Link { parent, code, ask });
            if bytes.len() >= FLUSH_BYTES {
                let (bytes, links) = std::mem::take(&mut self.outbox[to]);
                let p = self.parcel(to as u32, Body::States { bytes, links });
                self.ready.push(p);
            }
        }
        self.transitions += self.scratch.codes.len() as u64;
    }

    /// Sends every outbox holding at least `min_bytes`.
    fn flush(&mut self, out: &mut Vec<Parcel>, min_bytes: usize) {
        for to in 0..self.peers {
            if !self.outbox[to].1.is_empty() && self.outbox[to].0.len() >= min_bytes {
                let (bytes, links) = std::mem::take(&mut self.outbox[to]);
                out.push(self.parcel(to as u32, Body::States { bytes, links }));
            }
        }
    }
}
