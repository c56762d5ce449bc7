//! The world state: compact, canonical (no pointers, no hash-ordered collections),
//! `Copy`, and packed into a fixed number of bytes per scenario for the state store.

use crate::folio::Folio;
use crate::hazard::Hazard;
use crate::ids::{FolioId, MAX_FOLIOS, MAX_THREADS, MAX_VMAS, Tid, VmaId};
use crate::program::Flag;
use crate::rwsem::RwSem;
use crate::vma::VmaState;

/// Local state of one thread: program counter, flag register, handle registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ThreadState {
    /// Next instruction; the program length once exited.
    pub pc: u8,
    /// Flag bits ([`Flag`]).
    pub flags: u8,
    /// The VMA this thread last found or locked (may be stale after a drop).
    pub vma: Option<VmaId>,
    /// The folio this thread holds a reference to, or serves (FUSE).
    pub folio: Option<FolioId>,
    /// The VMA in `vma` was detached (freed, its memory maybe reused) since this thread
    /// found it: the handle is dangling.
    pub stale: bool,
}

impl ThreadState {
    /// Whether `flag` is set.
    pub fn has(&self, flag: Flag) -> bool {
        self.flags & flag.bit() != 0
    }
    /// Sets or clears `flag`.
    pub fn set(&mut self, flag: Flag, on: bool) {
        if on {
            self.flags |= flag.bit();
        } else {
            self.flags &= !flag.bit();
        }
    }
}

/// How many of each object a scenario has; fixes the packed size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Threads.
    pub threads: usize,
    /// VMAs.
    pub vmas: usize,
    /// Folios.
    pub folios: usize,
}

impl Shape {
    /// Bytes per packed state.
    pub fn packed_len(&self) -> usize {
        RwSem::packed_len(self.threads)
            + self.vmas * VmaState::PACKED_LEN
            + self.folios * Folio::PACKED_LEN
            + self.threads * THREAD_LEN
            + 2
    }
}

const THREAD_LEN: usize = 4;
const NONE: u8 = 0xff;

/// The whole mutable state of the process under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct World {
    /// `mm->mmap_lock`.
    pub mmap: RwSem,
    /// VMAs in address order (only the first `Shape::vmas` are used).
    pub vmas: [VmaState; MAX_VMAS],
    /// Folios (only the first `Shape::folios` are used).
    pub folios: [Folio; MAX_FOLIOS],
    /// Threads (only the first `Shape::threads` are used).
    pub threads: [ThreadState; MAX_THREADS],
    /// Evictions reclaim may still do (ignored when reclaim is unbounded).
    pub evictions_left: u8,
    /// Sticky [`Hazard`] bits: bug patterns some step has shown.
    pub hazards: u8,
}

impl World {
    /// Thread `t`'s local state.
    pub fn thread(&self, t: Tid) -> &ThreadState {
        &self.threads[t.index()]
    }
    /// VMA `v`'s state.
    pub fn vma(&self, v: VmaId) -> &VmaState {
        &self.vmas[v.index()]
    }
    /// Folio `f`'s state.
    pub fn folio(&self, f: FolioId) -> &Folio {
        &self.folios[f.index()]
    }
    /// Whether some step has shown `h`.
    pub fn has(&self, h: Hazard) -> bool {
        self.hazards & h.bit() != 0
    }
    /// Records `h`.
    pub fn record(&mut self, h: Hazard) {
        self.hazards |= h.bit();
    }

    /// Appends exactly `shape.packed_len()` bytes.
    pub fn pack(&self, shape: &Shape, out: &mut Vec<u8>) {
        self.mmap.pack(shape.threads, out);
        for v in &self.vmas[..shape.vmas] {
            v.pack(out);
        }
        for f in &self.folios[..shape.folios] {
            f.pack(out);
        }
        for t in &self.threads[..shape.threads] {
            out.extend_from_slice(&[
                t.pc,
                t.flags,
                // VMA ids are below 0x80, so the stale bit fits above them.
                t.vma.map_or(NONE, |v| v.0 | u8::from(t.stale) << 7),
                t.folio.map_or(NONE, |f| f.0),
            ]);
        }
        out.push(self.evictions_left);
        out.push(self.hazards);
    }

    /// Inverse of [`World::pack`]; `template` supplies the unused array slots.
    pub fn unpack(shape: &Shape, bytes: &[u8], template: &World) -> World {
        let mut w = *template;
        let mut at = RwSem::packed_len(shape.threads);
        w.mmap = RwSem::unpack(shape.threads, &bytes[..at]);
        for v in &mut w.vmas[..shape.vmas] {
            *v = VmaState::unpack(&bytes[at..at + VmaState::PACKED_LEN]);
            at += VmaState::PACKED_LEN;
        }
        for f in &mut w.folios[..shape.folios] {
            *f = Folio::unpack(&bytes[at..at + Folio::PACKED_LEN]);
            at += Folio::PACKED_LEN;
        }
        for t in &mut w.threads[..shape.threads] {
            let b = &bytes[at..at + THREAD_LEN];
            *t = ThreadState {
                pc: b[0],
                flags: b[1],
                vma: (b[2] != NONE).then_some(VmaId(b[2] & 0x7f)),
                folio: (b[3] != NONE).then_some(FolioId(b[3])),
                stale: b[2] != NONE && b[2] & 0x80 != 0,
            };
            at += THREAD_LEN;
        }
        w.evictions_left = bytes[at];
        w.hazards = bytes[at + 1];
        w
    }
}
