//! What a design changes in the fault path.

/// Which lock a fault attempt runs under (`FAULT_FLAG_VMA_LOCK` or `mmap_lock` read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaultLock {
    /// The per-VMA read lock from `lock_vma_under_rcu`.
    Vma,
    /// `mmap_read_lock` from `lock_mm_and_find_vma`.
    Mmap,
}

/// Which kind of page a fault waits for I/O on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Page {
    /// A page-cache folio (`filemap_fault`).
    File,
    /// A swap-cache folio (`do_swap_page`).
    Swap,
}

/// Which `VM_FAULT_RETRY` sources may retry under the per-VMA lock (D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetrySites {
    /// Only the audited folio/I-O waits (the RFC's new `vm_fault_reason` bit); every
    /// other RETRY (`vmf_anon_prepare`, ...) falls back to `mmap_lock`.
    Whitelist,
    /// Every VMA-lock RETRY retries per-VMA unless the site asks for `mmap_lock`; the
    /// model's `vmf_anon_prepare` does not ask (the forgotten site the LSFMM
    /// discussion warned about).
    Blacklist,
}

/// How the VMA-lock retry finds the VMA again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relookup {
    /// A fresh `lock_vma_under_rcu(mm, addr)` walk (the old pointer is dead).
    Fresh,
    /// `vma_start_read` on the old `vmf->vma` pointer: a use after the lock was dropped
    /// (kernel-semantics H8).
    KeepPointer,
}

/// The retry-under-the-VMA-lock part of D1 and D3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VmaRetry {
    /// The VMA-lock retry sets `FAULT_FLAG_TRIED`, so the next pass waits for I/O
    /// holding its lock instead of dropping again.
    pub tried: bool,
    /// Which RETRY sources retry per-VMA.
    pub sites: RetrySites,
    /// How the VMA is found again.
    pub relookup: Relookup,
}

/// What a design changes in the fault path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultPolicy {
    /// Under the VMA lock, file faults hold the lock across I/O (D2) instead of
    /// dropping it and returning RETRY on a first try.
    pub hold_file: bool,
    /// The same for swap-in faults (`do_swap_page`).
    pub hold_swap: bool,
    /// After a VMA-lock RETRY, retry under the per-VMA lock (D1, D3) instead of
    /// `mmap_lock` (today).
    pub vma_retry: Option<VmaRetry>,
    /// D1 v2: under the VMA lock, a folio that is uptodate but locked by another
    /// thread is waited for keeping the VMA lock (no RETRY).
    pub wait_if_uptodate: bool,
    /// `vmf_anon_prepare` under the VMA lock calls the blocking `mmap_read_lock`
    /// instead of `mmap_read_trylock` (the lock-order bug of kernel-semantics H9; set
    /// by the `lock-order` scenario's knob, never by a design).
    pub anon_prepare_blocks: bool,
    /// After a VMA-lock `VM_FAULT_RETRY` with `VM_FAULT_MAJOR`, the `mmap_lock` pass
    /// runs with `FAULT_FLAG_TRIED` (x86 since 6.8); 6.4-6.7 retried it without, so
    /// that pass dropped the lock for I/O again (set by the `kernel` knob).
    pub fallback_tried_on_major: bool,
}

impl FaultPolicy {
    /// Today's fault path (D0).
    pub const UPSTREAM: FaultPolicy = FaultPolicy {
        hold_file: false,
        hold_swap: false,
        vma_retry: None,
        wait_if_uptodate: false,
        anon_prepare_blocks: false,
        fallback_tried_on_major: true,
    };

    /// Whether a first-try attempt under `lock` drops it before an I/O wait on `page`.
    /// Under `mmap_lock` every design keeps today's drop.
    pub(crate) fn drops(&self, lock: FaultLock, page: Page) -> bool {
        match (lock, page) {
            (FaultLock::Mmap, _) => true,
            (FaultLock::Vma, Page::File) => !self.hold_file,
            (FaultLock::Vma, Page::Swap) => !self.hold_swap,
        }
    }
}
