//! Kernel bug patterns the step function notices as they happen.
//!
//! Some properties are about a *step*, not a state: a VMA reader calling the blocking
//! `mmap_read_lock`, a fault returning `VM_FAULT_RETRY` with a lock still held, a
//! dereference of a VMA whose lock was dropped, a PTE change while fork copies the VMA.
//! The interpreter records each as a sticky bit in the world, so every engine sees it
//! through the one state evaluator, and the shortest trace to the bit is the shortest
//! trace to the bug.

/// One bug pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hazard {
    /// A thread holding a VMA read lock called `mmap_read_lock`/`mmap_write_lock`
    /// (kernel-semantics 1.2 fact 4: a VMA reader may only `mmap_read_trylock`, or it
    /// deadlocks against a writer in `vma_start_write`).
    LockOrder,
    /// A fault returned `VM_FAULT_RETRY` still holding a VMA read lock or `mmap_lock`
    /// ("RETRY means dropped", since 6.6).
    RetryHeld,
    /// A thread dereferenced a VMA it does not pin: its lock was dropped, or the VMA was
    /// detached (freed, maybe reused) since the thread found it.
    VmaUse,
    /// A fault changed a PTE of a VMA while `dup_mmap` was copying that VMA's page
    /// tables (the 6.4 race fixed by fb49c455323f).
    ForkCopy,
}

impl Hazard {
    /// Every hazard.
    pub const ALL: [Hazard; 4] = [
        Hazard::LockOrder,
        Hazard::RetryHeld,
        Hazard::VmaUse,
        Hazard::ForkCopy,
    ];

    /// The bit in [`crate::World::hazards`].
    pub fn bit(self) -> u8 {
        match self {
            Hazard::LockOrder => 1,
            Hazard::RetryHeld => 2,
            Hazard::VmaUse => 4,
            Hazard::ForkCopy => 8,
        }
    }

    /// What happened, in a few words.
    pub fn describe(self) -> &'static str {
        match self {
            Hazard::LockOrder => "a VMA reader blocks on mmap_lock",
            Hazard::RetryHeld => "VM_FAULT_RETRY returned with a lock held",
            Hazard::VmaUse => "a VMA used after its lock was dropped or it was freed",
            Hazard::ForkCopy => "a PTE changed while fork copies the VMA",
        }
    }
}
