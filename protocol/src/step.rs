//! Steps: what one transition of the world is, and its compact, replayable encoding.

use std::fmt;

use crate::ids::{FolioId, Tid};

/// One atomic transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// Thread `tid` executes its next instruction; `choice` picks among alternatives
    /// (`Choose`, which request `fuse_dev_do_read` takes), 0 otherwise.
    Thread {
        /// The thread.
        tid: Tid,
        /// Which alternative.
        choice: u8,
    },
    /// The disk completes the read of a folio (`folio_end_read` from bio completion).
    IoDone(FolioId),
    /// Reclaim evicts an unlocked, unreferenced, uptodate folio (`shrink_folio_list`).
    Evict(FolioId),
    /// The first `mmap_lock` waiter has waited `RWSEM_WAIT_TIMEOUT` and sets
    /// `RWSEM_FLAG_HANDOFF` (only with `Admission::Steal`).
    Handoff,
}

impl Step {
    /// The thread that runs, if it is a thread step.
    pub fn tid(&self) -> Option<Tid> {
        match self {
            Step::Thread { tid, .. } => Some(*tid),
            _ => None,
        }
    }

    /// Parses the token form written by `Display` (`t1`, `t3.1`, `io0`, `ev0`, `ho`).
    pub fn parse(s: &str) -> Option<Step> {
        let num = |x: &str| x.parse::<u8>().ok();
        if s == "ho" {
            Some(Step::Handoff)
        } else if let Some(r) = s.strip_prefix("io") {
            Some(Step::IoDone(FolioId(num(r)?)))
        } else if let Some(r) = s.strip_prefix("ev") {
            Some(Step::Evict(FolioId(num(r)?)))
        } else if let Some(r) = s.strip_prefix('t') {
            let (t, c) = match r.split_once('.') {
                Some((t, c)) => (num(t)?, num(c)?),
                None => (num(r)?, 0),
            };
            Some(Step::Thread {
                tid: Tid(t),
                choice: c,
            })
        } else {
            None
        }
    }

    /// 16-bit encoding for parent links in the state store.
    pub fn encode(self) -> u16 {
        match self {
            Step::Thread { tid, choice } => u16::from(tid.0) << 8 | u16::from(choice),
            Step::IoDone(f) => 0x1000 | u16::from(f.0),
            Step::Evict(f) => 0x2000 | u16::from(f.0),
            Step::Handoff => 0x3000,
        }
    }

    /// Inverse of [`Step::encode`].
    pub fn decode(x: u16) -> Step {
        let lo = (x & 0xff) as u8;
        match x >> 12 {
            0 => Step::Thread {
                tid: Tid((x >> 8) as u8),
                choice: lo,
            },
            1 => Step::IoDone(FolioId(lo)),
            2 => Step::Evict(FolioId(lo)),
            _ => Step::Handoff,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Thread { tid, choice: 0 } => write!(f, "t{}", tid.0),
            Step::Thread { tid, choice } => write!(f, "t{}.{choice}", tid.0),
            Step::IoDone(x) => write!(f, "io{}", x.0),
            Step::Evict(x) => write!(f, "ev{}", x.0),
            Step::Handoff => f.write_str("ho"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_and_encoding_round_trip() {
        for s in [
            Step::Thread {
                tid: Tid(0),
                choice: 0,
            },
            Step::Thread {
                tid: Tid(15),
                choice: 3,
            },
            Step::IoDone(FolioId(7)),
            Step::Evict(FolioId(2)),
            Step::Handoff,
        ] {
            assert_eq!(Step::decode(s.encode()), s);
            assert_eq!(Step::parse(&s.to_string()), Some(s));
        }
        assert_eq!(Step::parse("x1"), None);
        assert_eq!(Step::parse("t"), None);
    }
}
