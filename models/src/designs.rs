//! The designs: what a page fault that must wait for I/O does with its lock
//! (kernel-semantics section 4).

use crate::fault::{FaultPolicy, Relookup, RetrySites, VmaRetry};
use crate::knobs::{KnobDef, KnobKind, Knobs};

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

static VMA_RETRY_TRIED: KnobDef = KnobDef {
    name: "vma-retry-tried",
    kind: KnobKind::Choice(&["on", "off"]),
    default: "on",
    help: "the VMA-lock retry sets FAULT_FLAG_TRIED, so the next pass waits for I/O \
           holding the VMA lock (the patches do not say; off can livelock)",
};

static WAIT_IF_UPTODATE: KnobDef = KnobDef {
    name: "wait-if-uptodate",
    kind: KnobKind::Choice(&["on", "off"]),
    default: "on",
    help: "v2: a folio that is uptodate but locked by another thread is waited for \
           keeping the VMA lock instead of dropping it",
};

static RETRY_SITES: KnobDef = KnobDef {
    name: "retry-sites",
    kind: KnobKind::Choice(&["whitelist", "blacklist"]),
    default: "whitelist",
    help: "whitelist = only folio/I-O waits retry per-VMA; blacklist = every VMA-lock \
           RETRY does, including vmf_anon_prepare's",
};

static RELOOKUP: KnobDef = KnobDef {
    name: "relookup",
    kind: KnobKind::Choice(&["fresh", "keep-pointer"]),
    default: "fresh",
    help: "the retry finds the VMA with a fresh lock_vma_under_rcu walk, or calls \
           vma_start_read on the old vmf->vma pointer",
};

static HOLD_ACROSS_IO: KnobDef = KnobDef {
    name: "hold-across-io",
    kind: KnobKind::Choice(&["all", "file", "anon"]),
    default: "all",
    help: "which VMA-locked faults hold the lock across I/O: all, file faults only, or \
           anonymous (swap-in) faults only (the partial variants of LSFMM 2026)",
};

fn on(knobs: &Knobs, name: &str) -> bool {
    knobs.get(name) == "on"
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
        policy: |_| FaultPolicy::UPSTREAM,
    },
    Design {
        id: "vma-retry",
        title: "D1, Barry Song / Oven Liyang: retry under the per-VMA lock after I/O",
        summary: "The fault still drops the VMA lock to wait for I/O, then retries under \
                  the per-VMA lock (fresh lock_vma_under_rcu lookup, mmap_lock if that \
                  fails) instead of mmap_lock; v2 also waits for an uptodate folio's \
                  lock keeping the VMA lock.",
        knobs: &[&VMA_RETRY_TRIED, &WAIT_IF_UPTODATE, &RETRY_SITES, &RELOOKUP],
        policy: |k| FaultPolicy {
            vma_retry: Some(VmaRetry {
                tried: on(k, "vma-retry-tried"),
                sites: if k.get("retry-sites") == "blacklist" {
                    RetrySites::Blacklist
                } else {
                    RetrySites::Whitelist
                },
                relookup: if k.get("relookup") == "keep-pointer" {
                    Relookup::KeepPointer
                } else {
                    Relookup::Fresh
                },
            }),
            wait_if_uptodate: on(k, "wait-if-uptodate"),
            ..FaultPolicy::UPSTREAM
        },
    },
    Design {
        id: "hold-io",
        title: "D2, Matthew Wilcox: hold the per-VMA lock across I/O",
        summary: "Under the VMA lock, the fault reads and waits for the folio with the \
                  VMA lock held and never returns RETRY for I/O; the mmap_lock path keeps \
                  today's drop-and-retry.",
        knobs: &[&HOLD_ACROSS_IO],
        policy: |k| {
            let which = k.get("hold-across-io");
            FaultPolicy {
                hold_file: which != "anon",
                hold_swap: which != "file",
                ..FaultPolicy::UPSTREAM
            }
        },
    },
    Design {
        id: "two-flag",
        title: "D3, LSFMM 2026: RETRY retries per-VMA, a second flag falls back to mmap_lock",
        summary: "Folio/I-O waits drop the VMA lock and return RETRY, retried under the \
                  per-VMA lock with FAULT_FLAG_TRIED; vmf_anon_prepare's trylock failure \
                  (and vmf_can_call_fault, uffd) return the second flag and fall back to \
                  mmap_lock. In this model it equals vma-retry with TRIED on, \
                  wait-if-uptodate off and a whitelist: the flags make the intent explicit.",
        knobs: &[],
        policy: |_| FaultPolicy {
            vma_retry: Some(VmaRetry {
                tried: true,
                sites: RetrySites::Whitelist,
                relookup: Relookup::Fresh,
            }),
            ..FaultPolicy::UPSTREAM
        },
    },
];
