//! The designs: what a page fault that must wait for I/O does with its lock.

use crate::fault::FaultPolicy;
use crate::knobs::{KnobDef, Knobs};

/// A design in the catalog.
#[derive(Debug)]
pub struct Design {
    /// Stable id (`upstream`).
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Who proposed it and what it changes.
    pub summary: &'static str,
    /// Knobs of this design.
    pub knobs: &'static [&'static KnobDef],
    policy: fn(&Knobs) -> FaultPolicy,
}

impl Design {
    /// The fault-path policy for these knob values.
    pub fn policy(&self, knobs: &Knobs) -> FaultPolicy {
        (self.policy)(knobs)
    }
}

/// Every design, in catalog order.
pub static DESIGNS: &[Design] = &[
    Design {
        id: "upstream",
        title: "D0, today: drop the fault lock for I/O, retry under mmap_lock",
        summary: "filemap_fault drops the VMA lock (or mmap_lock) before it submits or \
                  waits for I/O on a first try and returns VM_FAULT_RETRY; the arch code \
                  retries under mmap_lock, with FAULT_FLAG_TRIED if the attempt was \
                  VM_FAULT_MAJOR; a TRIED attempt waits for I/O holding its lock.",
        knobs: &[],
        policy: |_| FaultPolicy {
            vma_lock_drops_for_io: true,
            mmap_lock_drops_for_io: true,
        },
    },
    Design {
        id: "hold-io",
        title: "D2, Matthew Wilcox: hold the per-VMA lock across I/O",
        summary: "Under the VMA lock, filemap_fault reads and waits for the folio with the \
                  VMA lock held and never returns RETRY for I/O; the mmap_lock path keeps \
                  today's drop-and-retry.",
        knobs: &[],
        policy: |_| FaultPolicy {
            vma_lock_drops_for_io: false,
            mmap_lock_drops_for_io: true,
        },
    },
];
