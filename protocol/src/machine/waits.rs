//! Who a blocked thread waits for: the edges the latency properties follow.

use crate::folio::FolioState;
use crate::ids::{ThreadSet, Tid};
use crate::world::World;

use super::{Machine, WaitOn};

/// The direct wait of a blocked thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waits {
    /// Threads that must act before it can go on (lock holders).
    pub threads: ThreadSet,
    /// It sleeps on a folio locked for read I/O (disk or FUSE).
    pub io: bool,
}

impl Machine {
    /// What `t` waits for in `w`, if it is blocked.
    pub fn waits(&self, w: &World, t: Tid) -> Option<Waits> {
        let mut threads = ThreadSet::EMPTY;
        let mut io = false;
        match self.blocked_on(w, t)? {
            WaitOn::MmapLock(_) => {
                if let Some(h) = w.mmap.writer() {
                    threads.insert(h);
                }
                for r in w.mmap.readers().iter() {
                    threads.insert(r);
                }
            }
            WaitOn::VmaReaders(v) => threads = w.vma(v).readers,
            WaitOn::Folio(f) => match w.folio(f).state {
                FolioState::ReadIo { .. } => io = true,
                FolioState::Locked(h) => threads.insert(h),
                _ => {}
            },
        }
        threads.remove(t);
        Some(Waits { threads, io })
    }

    /// Whether `t` is blocked, directly or through a chain of lock holders that are
    /// blocked themselves, on read I/O. Returns the chain of threads (starting at `t`,
    /// ending at the one sleeping on I/O).
    pub fn waits_on_io(&self, w: &World, t: Tid) -> Option<Vec<Tid>> {
        // Depth-first over at most MAX_THREADS threads; `seen` stops cycles.
        let mut seen = ThreadSet::EMPTY;
        let mut path = Vec::new();
        self.io_chain(w, t, &mut seen, &mut path).then_some(path)
    }

    fn io_chain(&self, w: &World, t: Tid, seen: &mut ThreadSet, path: &mut Vec<Tid>) -> bool {
        if seen.contains(t) {
            return false;
        }
        seen.insert(t);
        let Some(waits) = self.waits(w, t) else {
            return false;
        };
        path.push(t);
        if waits.io
            || waits
                .threads
                .iter()
                .any(|h| self.io_chain(w, h, seen, path))
        {
            return true;
        }
        path.pop();
        false
    }
}
