//! VMAs and the per-VMA lock (`include/linux/mmap_lock.h`, `mm/mmap_lock.c`).
//!
//! One state machine serves both lock generations (rwsem-based 6.4..6.14, `vm_refcnt`
//! 6.15+): readers only try-lock, a writer that has started makes new readers fail at
//! once and waits for the readers already inside, and write locks end in bulk.
//!
//! Checked against `include/linux/mmap_lock.h` and `mm/mmap_lock.c` (linux-mm
//! @1632d9c3 / @607a10f8, the `VM_REFCNT_EXCLUDE_READERS_FLAG` generation):
//! `vma_start_read` returns NULL when `vm_lock_seq` matches or the limited refcount
//! increment fails under the exclude flag, and `-EAGAIN` when detached, after which
//! `lock_vma_under_rcu` re-walks the tree (and then finds nothing, because munmap
//! clears the tree before readers can see the VMA again); `__vma_start_write` asserts
//! the `mmap_lock` write hold and waits until `vm_refcnt == FLAG|1`; `vma_mark_detached`
//! asserts the VMA write lock.

use crate::ids::{ThreadSet, Tid};

/// What kind of mapping a VMA is. Decides whether fork must lock it under `anon-cow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VmaKind {
    /// Anonymous private memory (`vma_is_anonymous`).
    Anon,
    /// `MAP_PRIVATE` file mapping: copy-on-write (`is_cow_mapping`), may hold anon pages.
    PrivateFile,
    /// `MAP_SHARED` file mapping: not COW.
    SharedFile,
}

impl VmaKind {
    /// `vma_is_anonymous(vma) || is_cow_mapping(vma->vm_flags)`: the predicate of the
    /// May 2026 proposal to write-lock only such VMAs in `dup_mmap`.
    pub fn is_anon_or_cow(self) -> bool {
        matches!(self, VmaKind::Anon | VmaKind::PrivateFile)
    }
    /// Short name for traces.
    pub fn name(self) -> &'static str {
        match self {
            VmaKind::Anon => "anon",
            VmaKind::PrivateFile => "private file",
            VmaKind::SharedFile => "shared file",
        }
    }
}

/// Why `vma_start_read` failed. It never waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadFail {
    /// `vm_lock_seq == mm_lock_seq`: write-locked in this `mmap_lock` write cycle.
    WriteLocked,
    /// A writer in `vma_start_write` is excluding readers (`VM_REFCNT_EXCLUDE_READERS_FLAG`
    /// set; before 6.15: a writer queued on the VMA rwsem makes `down_read_trylock` fail).
    Excluded,
    /// Detached: `vm_refcnt == 0` (`EAGAIN`; the re-walk no longer finds it).
    Detached,
}

/// Lock and tree state of one VMA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VmaState {
    /// In the mm's maple tree and `vm_refcnt > 0`.
    pub attached: bool,
    /// Write-locked during the current `mmap_lock` write cycle.
    pub write_locked: bool,
    /// The writer that has started `vma_start_write` and waits for `readers` to leave.
    pub excluding: Option<Tid>,
    /// Threads holding the VMA read lock.
    pub readers: ThreadSet,
    /// `vma->anon_vma` is set.
    pub anon_vma: bool,
    /// `dup_mmap` is inside `copy_page_range` for this VMA.
    pub copying: bool,
    /// `vm_flags & VM_COPY_ON_FORK` (mm.h: `VM_PFNMAP`, `VM_MIXEDMAP`, `VM_UFFD_WP`,
    /// `VM_MAYBE_GUARD`): page tables a fault cannot rebuild, so fork copies them even
    /// without an `anon_vma`. `VM_MAYBE_GUARD` is set under a read lock.
    pub copy_on_fork: bool,
    /// `vma_needs_copy` said yes when this copy started (`anon_vma`, or
    /// `VM_COPY_ON_FORK` on the child's VMA, which `vm_area_dup` took from the parent
    /// then): `copy_page_range` copies its PTEs until [`Self::copying`] ends.
    pub copies_ptes: bool,
}

impl VmaState {
    /// An attached, unlocked VMA.
    pub fn new(anon_vma: bool) -> Self {
        VmaState {
            attached: true,
            write_locked: false,
            excluding: None,
            readers: ThreadSet::EMPTY,
            anon_vma,
            copying: false,
            copy_on_fork: false,
            copies_ptes: false,
        }
    }

    /// `vma_needs_copy` (mm/memory.c): `VM_COPY_ON_FORK` or an `anon_vma`.
    pub fn needs_copy(&self) -> bool {
        self.copy_on_fork || self.anon_vma
    }

    /// `vma_start_read`: a try-lock. Fails when write-locked, while a writer excludes
    /// readers, or when detached; never sleeps.
    pub fn start_read(&mut self, t: Tid) -> Result<(), ReadFail> {
        if !self.attached {
            Err(ReadFail::Detached)
        } else if self.write_locked {
            Err(ReadFail::WriteLocked)
        } else if self.excluding.is_some() {
            Err(ReadFail::Excluded)
        } else {
            self.readers.insert(t);
            Ok(())
        }
    }

    /// `vma_end_read` (`vma_refcount_put`). `false` if `t` held no read lock.
    pub fn end_read(&mut self, t: Tid) -> bool {
        let held = self.readers.contains(t);
        self.readers.remove(t);
        held
    }

    /// One step of `vma_start_write` by `t` (caller checked the `mmap_lock` write hold).
    /// Returns `true` when the VMA is write-locked, `false` while readers remain: the
    /// first call starts excluding new readers, later calls complete once readers left.
    pub fn start_write(&mut self, t: Tid) -> bool {
        if self.write_locked {
            return true; // already locked in this cycle: __is_vma_write_locked
        }
        if !self.attached || self.readers.is_empty() {
            // Detached VMAs just store the sequence; no readers means nothing to wait for.
            self.write_locked = true;
            self.excluding = None;
            return true;
        }
        self.excluding = Some(t);
        false
    }

    /// Whether `t`, excluding readers, waits for readers still inside.
    pub fn writer_waiting(&self, t: Tid) -> bool {
        self.excluding == Some(t) && !self.readers.is_empty()
    }

    /// `vma_end_write_all` via `mmap_write_unlock`/`mmap_write_downgrade`: the mm sequence
    /// moves, so every write lock of the mm ends at once.
    pub fn end_write(&mut self) {
        self.write_locked = false;
    }

    pub(crate) fn pack(&self, out: &mut Vec<u8>) {
        let flags = u8::from(self.attached)
            | u8::from(self.write_locked) << 1
            | u8::from(self.anon_vma) << 2
            | u8::from(self.copying) << 3
            | u8::from(self.copy_on_fork) << 4
            | u8::from(self.copies_ptes) << 5;
        out.push(flags);
        out.push(self.excluding.map_or(0xff, |t| t.0));
        out.extend_from_slice(&self.readers.0.to_le_bytes());
    }

    pub(crate) fn unpack(b: &[u8]) -> VmaState {
        VmaState {
            attached: b[0] & 1 != 0,
            write_locked: b[0] & 2 != 0,
            anon_vma: b[0] & 4 != 0,
            copying: b[0] & 8 != 0,
            copy_on_fork: b[0] & 16 != 0,
            copies_ptes: b[0] & 32 != 0,
            excluding: (b[1] != 0xff).then_some(Tid(b[1])),
            readers: ThreadSet(u16::from_le_bytes([b[2], b[3]])),
        }
    }

    pub(crate) const PACKED_LEN: usize = 4;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vma_start_read_fails_when_write_locked_excluded_or_detached() {
        let mut v = VmaState::new(false);
        v.write_locked = true;
        assert_eq!(v.start_read(Tid(0)), Err(ReadFail::WriteLocked));
        let mut v = VmaState::new(false);
        v.excluding = Some(Tid(1));
        assert_eq!(v.start_read(Tid(0)), Err(ReadFail::Excluded));
        let mut v = VmaState::new(false);
        v.attached = false;
        assert_eq!(v.start_read(Tid(0)), Err(ReadFail::Detached));
    }

    #[test]
    fn vma_start_write_waits_only_for_readers_already_inside() {
        let mut v = VmaState::new(false);
        v.start_read(Tid(0)).expect("unlocked VMA");
        assert!(!v.start_write(Tid(1)));
        assert!(v.writer_waiting(Tid(1)));
        // A new reader fails at once instead of queueing behind the writer.
        assert_eq!(v.start_read(Tid(2)), Err(ReadFail::Excluded));
        assert!(v.end_read(Tid(0)));
        assert!(!v.writer_waiting(Tid(1)));
        assert!(v.start_write(Tid(1)));
        assert!(v.write_locked && v.excluding.is_none());
    }

    #[test]
    fn vma_write_lock_ends_only_in_bulk() {
        let mut v = VmaState::new(false);
        assert!(v.start_write(Tid(0)));
        // Nothing but end_write (mmap_write_unlock/downgrade) clears it.
        assert!(v.start_write(Tid(0)));
        assert_eq!(v.start_read(Tid(1)), Err(ReadFail::WriteLocked));
        v.end_write();
        assert!(v.start_read(Tid(1)).is_ok());
    }

    #[test]
    fn pack_round_trips() {
        let mut v = VmaState::new(true);
        v.start_read(Tid(3)).expect("unlocked");
        v.start_write(Tid(1));
        let mut b = Vec::new();
        v.pack(&mut b);
        assert_eq!(b.len(), VmaState::PACKED_LEN);
        assert_eq!(VmaState::unpack(&b), v);
    }
}
