//! What workers send each other: batches of successors for their owner, requests to
//! expand the rest of a state (the cycle proviso), the status every worker broadcasts,
//! and, after the search, the steps of a path walked back through parent links.

use serde::{Deserialize, Serialize};

use crate::part::{Full, Gid};

/// A violating state or a failing step: the first level it was seen at, then where.
/// Ordered so that the minimum is the shallowest, ties broken by place: every worker
/// picks the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct Hit {
    /// Its breadth-first level (its shortest distance from the initial state).
    pub depth: u32,
    /// The state.
    pub at: Gid,
    /// For a model error: the code of the failing step (0 for a property).
    pub code: u16,
}

/// A worker's news for every worker: what it found, whether a budget stopped it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Status {
    /// Per watched property, the best hit so far.
    pub found: Vec<Option<Hit>>,
    /// The first model error.
    pub error: Option<Hit>,
    /// A budget that stopped it.
    pub full: Option<Full>,
}

impl Status {
    /// Joins `other` into `self`: the minimum of each hit, any budget.
    pub(crate) fn join(&mut self, other: &Status) {
        for (mine, theirs) in self.found.iter_mut().zip(&other.found) {
            *mine = min(*mine, *theirs);
        }
        self.error = min(self.error, other.error);
        self.full = self.full.or(other.full);
    }
}

fn min(a: Option<Hit>, b: Option<Hit>) -> Option<Hit> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// A successor on its way to its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Link {
    /// The state it was reached from.
    pub parent: Gid,
    /// The step code.
    pub code: u16,
    /// The parent asks whether it is stored at the parent's depth or shallower (cycle
    /// proviso): if so, the owner sends back [`Body::Rest`].
    pub ask: bool,
}

/// One message's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Body {
    /// Successors: packed states, one [`Link`] each.
    States {
        /// The packed states, back to back.
        bytes: Vec<u8>,
        /// Their links.
        links: Vec<Link>,
    },
    /// Indices of the receiver's states whose persistent sets met the cycle proviso:
    /// expand the rest of their successors.
    Rest(Vec<u32>),
    /// The sender's status.
    Status(Status),
    /// A path walked back from `slot`'s hit: the step codes so far (last step first),
    /// and where it goes next (at the initial state: `Gid::ROOT`).
    Walk {
        /// Which hit: a watched property's index, or one past them for the model error.
        slot: u32,
        /// The next state on the way back.
        at: Gid,
        /// Codes collected, last step first.
        codes: Vec<u16>,
        /// The packed state the path ends in.
        end: Vec<u8>,
    },
    /// A worker's totals, for worker 0's report.
    Totals(Totals),
}

/// A worker's totals at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Totals {
    /// States stored.
    pub states: u64,
    /// Transitions taken (successors computed, new or not).
    pub transitions: u64,
    /// Deepest level expanded.
    pub depth: u32,
    /// Bytes held by its part of the visited set.
    pub bytes: u64,
    /// States stored but never expanded.
    pub unexplored: u64,
}

impl Totals {
    /// Sums `other` into `self` (depth: the maximum).
    pub(crate) fn add(&mut self, other: &Totals) {
        self.states += other.states;
        self.transitions += other.transitions;
        self.depth = self.depth.max(other.depth);
        self.bytes += other.bytes;
        self.unexplored += other.unexplored;
    }
}

/// A message: its receiver, and its sender and sequence number, by which a receiver
/// orders what it got in one round, so every run with the same workers stores the
/// same states under the same indices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Parcel {
    /// The receiving worker.
    pub to: u32,
    /// The sending worker.
    pub from: u32,
    /// The sender's count of parcels sent before this one.
    pub seq: u64,
    /// The content.
    pub body: Body,
}
