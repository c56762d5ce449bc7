//! After the search: each hit's path, walked back through the parent links from owner
//! to owner until the initial state, then handed to worker 0 with every worker's
//! totals.

use crate::parcel::{Body, Parcel, Totals};
use crate::part::Gid;
use crate::search::Level;

/// What worker 0 collects.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Per finished walk: its slot, the step codes from the initial state, the packed
    /// state it ends in.
    pub paths: Vec<(u32, Vec<u16>, Vec<u8>)>,
    /// Every worker's totals, summed.
    pub totals: Totals,
    /// Workers whose totals arrived.
    pub reported: usize,
}

impl Level {
    /// The walks that start here (hits this worker owns) and its totals for worker 0.
    pub(crate) fn start_walks(&self) -> Vec<Parcel> {
        let me = self.me();
        let mut out = vec![self.message(0, Body::Totals(self.totals()))];
        let hits = self.known.found.iter().copied().chain([self.known.error]);
        for (slot, hit) in hits.enumerate() {
            if let Some(h) = hit.filter(|h| h.at.worker == me) {
                out.push(self.message(
                    me,
                    Body::Walk {
                        slot: slot as u32,
                        at: h.at,
                        codes: Vec::new(),
                        end: self.part.get(h.at.idx).to_vec(),
                    },
                ));
            }
        }
        out
    }

    /// Takes a walk as far back as this worker's links go; returns where it goes
    /// next, or collects it (worker 0, at the initial state).
    pub(crate) fn walk(&self, p: Parcel, done: &mut Collected) -> Option<Parcel> {
        match p.body {
            Body::Totals(t) => {
                done.totals.add(&t);
                done.reported += 1;
                None
            }
            Body::Walk {
                slot,
                mut at,
                mut codes,
                end,
            } => {
                let me = self.me();
                while at != Gid::ROOT && at.worker == me {
                    let (parent, code) = self.part.link(at.idx);
                    if parent != Gid::ROOT {
                        codes.push(code);
                    }
                    at = parent;
                }
                if at == Gid::ROOT && me == 0 {
                    codes.reverse();
                    done.paths.push((slot, codes, end));
                    return None;
                }
                let to = if at == Gid::ROOT { 0 } else { at.worker };
                let body = Body::Walk {
                    slot,
                    at,
                    codes,
                    end,
                };
                Some(self.message(to, body))
            }
            _ => None,
        }
    }
}
