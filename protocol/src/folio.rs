//! Page-cache folios, their lock bit and the read I/O that holds it (`mm/filemap.c`).
//!
//! Read I/O runs with the folio locked (`PG_locked`) and I/O completion
//! (`folio_end_read`) marks it uptodate and unlocks it, so waiting for I/O *is* waiting
//! on the folio lock.
//!
//! [inferred] The folio lock is a mutex whose waiters race for it once it is free. The
//! kernel hands it to the first exclusive waiter (`folio_wake_bit` ->
//! `wake_page_function`), so the model allows a few orders the kernel does not, never
//! fewer; all waiters hold a reference, so reclaim cannot slip in either way.

use crate::ids::{ThreadSet, Tid};

/// Who completes a read of a file's folio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Backend {
    /// A block device: completes eventually, on its own (the `disk` actor).
    Disk,
    /// A FUSE server thread of the same process: completes only after its own steps.
    Fuse,
    /// A userfaultfd handler thread of the same process: a missing-page fault on a
    /// uffd-registered VMA waits until the handler's `UFFDIO_COPY` fills the page.
    Uffd,
}

impl Backend {
    /// Short name for traces.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Disk => "disk",
            Backend::Fuse => "FUSE",
            Backend::Uffd => "uffd",
        }
    }

    /// Whether a thread of the process, not a device, completes the request.
    pub fn is_server(self) -> bool {
        matches!(self, Backend::Fuse | Backend::Uffd)
    }
}

/// The page-cache state of one folio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FolioState {
    /// Not in the page cache.
    Absent,
    /// Uptodate and unlocked.
    Uptodate,
    /// Locked for a read that `backend` must complete. For FUSE, `claimed` once the
    /// server has taken the request (`fuse_dev_do_read`).
    ReadIo {
        /// Who completes the read.
        backend: Backend,
        /// FUSE only: a server thread has read the request.
        claimed: bool,
    },
    /// Uptodate and locked by a thread (`folio_lock`).
    Locked(Tid),
}

impl FolioState {
    /// The state as one byte, as packed states store it and exporters write it:
    /// 0 absent, 1 uptodate, 2 disk read, 3/4 FUSE read (unclaimed/claimed), 5/6 uffd
    /// read, `0x80 | tid` locked.
    pub fn code(self) -> u8 {
        match self {
            FolioState::Absent => 0,
            FolioState::Uptodate => 1,
            FolioState::ReadIo {
                backend: Backend::Disk,
                ..
            } => 2,
            FolioState::ReadIo {
                backend: Backend::Fuse,
                claimed,
            } => 3 + u8::from(claimed),
            FolioState::ReadIo {
                backend: Backend::Uffd,
                claimed,
            } => 5 + u8::from(claimed),
            FolioState::Locked(t) => 0x80 | t.0,
        }
    }
}

/// One folio: its state and the threads holding a reference to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Folio {
    /// Cache and lock state.
    pub state: FolioState,
    /// Threads holding a reference (`folio_get`); a referenced folio is not reclaimed.
    pub refs: ThreadSet,
}

impl Folio {
    /// A folio in the given state with no references.
    pub fn new(state: FolioState) -> Self {
        Folio {
            state,
            refs: ThreadSet::EMPTY,
        }
    }

    /// Whether reclaim may evict it: `shrink_folio_list` only `folio_trylock`s and
    /// `__remove_mapping` fails on extra references, so only an unlocked, unreferenced,
    /// uptodate folio goes.
    pub fn evictable(&self) -> bool {
        self.state == FolioState::Uptodate && self.refs.is_empty()
    }

    pub(crate) fn pack(&self, out: &mut Vec<u8>) {
        out.push(self.state.code());
        out.extend_from_slice(&self.refs.0.to_le_bytes());
    }

    pub(crate) fn unpack(b: &[u8]) -> Folio {
        let state = match b[0] {
            0 => FolioState::Absent,
            1 => FolioState::Uptodate,
            2 => FolioState::ReadIo {
                backend: Backend::Disk,
                claimed: false,
            },
            3 => FolioState::ReadIo {
                backend: Backend::Fuse,
                claimed: false,
            },
            4 => FolioState::ReadIo {
                backend: Backend::Fuse,
                claimed: true,
            },
            5 | 6 => FolioState::ReadIo {
                backend: Backend::Uffd,
                claimed: b[0] == 6,
            },
            x => FolioState::Locked(Tid(x & 0x7f)),
        };
        Folio {
            state,
            refs: ThreadSet(u16::from_le_bytes([b[1], b[2]])),
        }
    }

    pub(crate) const PACKED_LEN: usize = 3;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_or_the_lock_keeps_reclaim_away() {
        let mut f = Folio::new(FolioState::Uptodate);
        assert!(f.evictable());
        f.refs.insert(Tid(2));
        assert!(!f.evictable());
        let f = Folio::new(FolioState::Locked(Tid(1)));
        assert!(!f.evictable());
        let f = Folio::new(FolioState::ReadIo {
            backend: Backend::Disk,
            claimed: false,
        });
        assert!(!f.evictable());
    }

    #[test]
    fn pack_round_trips_every_state() {
        for state in [
            FolioState::Absent,
            FolioState::Uptodate,
            FolioState::ReadIo {
                backend: Backend::Disk,
                claimed: false,
            },
            FolioState::ReadIo {
                backend: Backend::Fuse,
                claimed: false,
            },
            FolioState::ReadIo {
                backend: Backend::Fuse,
                claimed: true,
            },
            FolioState::ReadIo {
                backend: Backend::Uffd,
                claimed: false,
            },
            FolioState::ReadIo {
                backend: Backend::Uffd,
                claimed: true,
            },
            FolioState::Locked(Tid(9)),
        ] {
            let mut f = Folio::new(state);
            f.refs.insert(Tid(4));
            let mut b = Vec::new();
            f.pack(&mut b);
            assert_eq!(Folio::unpack(&b), f);
        }
    }
}
