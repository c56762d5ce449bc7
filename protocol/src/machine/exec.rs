//! The step semantics of each op: what one instruction does to the world.

use crate::error::ModelError;
use crate::folio::{Backend, FolioState};
use crate::hazard::Hazard;
use crate::ids::{FolioId, ThreadSet, Tid, VmaId};
use crate::program::Op;
use crate::rwsem::Acquire;
use crate::world::World;

use super::Machine;

impl Machine {
    /// Executes thread `t`'s instruction in place (without settling).
    pub(super) fn exec(&self, w: &mut World, t: Tid, choice: u8) -> Result<(), ModelError> {
        let spec = &self.threads[t.index()];
        let prog = &spec.program;
        let pc = w.thread(t).pc;
        let Some(&instr) = prog.get(pc) else {
            return Err(ModelError::NotEnabled {
                step: format!("t{}", t.0),
            });
        };
        let misuse = |reason| ModelError::Misuse {
            thread: self.thread_label(t),
            site: instr.site,
            op: instr.op.kernel_name(),
            reason,
        };
        let ti = t.index();
        let mut next = pc + 1;
        match instr.op {
            Op::MmapReadLock | Op::MmapWriteLock if w.mmap.held_by(t) => {
                return Err(misuse("mmap_lock is already held by this thread"));
            }
            Op::MmapReadLock => {
                // Only the first call (not yet queued) is the caller's own act.
                if w.mmap.position(t).is_none() && self.holds_vma_read(w, t) {
                    w.record(Hazard::LockOrder);
                }
                if w.mmap.down_read(t, self.admission) == Acquire::Queued {
                    next = pc; // sleeps; rwsem_mark_wake moves it on when granted
                }
            }
            Op::MmapReadTrylock { fail } => {
                if !w.mmap.read_trylock(t) {
                    next = prog.target(fail);
                }
            }
            Op::MmapReadUnlock => {
                let granted = w
                    .mmap
                    .up_read(t)
                    .ok_or_else(|| misuse("mmap_lock not read-held"))?;
                self.advance_granted(w, granted)?;
            }
            Op::MmapWriteLock => {
                if w.mmap.position(t).is_none() && self.holds_vma_read(w, t) {
                    w.record(Hazard::LockOrder);
                }
                if w.mmap.position(t).is_some() {
                    w.mmap.take_queued_write(t);
                } else if w.mmap.down_write(t, self.admission) == Acquire::Queued {
                    next = pc;
                }
            }
            Op::MmapWriteUnlock => {
                // mmap_write_unlock: vma_end_write_all, then up_write.
                if w.mmap.writer() != Some(t) {
                    return Err(misuse("mmap_lock not write-held"));
                }
                end_all_vma_write_locks(w, self.shape.vmas);
                let granted = w.mmap.up_write(t).ok_or_else(|| misuse("not the writer"))?;
                self.advance_granted(w, granted)?;
            }
            Op::MmapWriteDowngrade => {
                if w.mmap.writer() != Some(t) {
                    return Err(misuse("mmap_lock not write-held"));
                }
                end_all_vma_write_locks(w, self.shape.vmas);
                let granted = w
                    .mmap
                    .downgrade(t)
                    .ok_or_else(|| misuse("not the writer"))?;
                self.advance_granted(w, granted)?;
            }
            Op::LockVmaUnderRcu { vma, fail } => {
                if self.holds_vma_read(w, t) {
                    return Err(misuse("already holds a VMA read lock"));
                }
                match w.vmas[vma.index()].start_read(t) {
                    Ok(()) => set_handle(w, t, Some(vma)),
                    Err(_) => next = prog.target(fail),
                }
            }
            Op::VmaStartRead { fail } => {
                let v = w.thread(t).vma.ok_or_else(|| misuse("no VMA handle"))?;
                if self.holds_vma_read(w, t) {
                    return Err(misuse("already holds a VMA read lock"));
                }
                if w.thread(t).stale {
                    // The object was freed and maybe reused: locking it locks whatever
                    // lives there now.
                    w.record(Hazard::VmaUse);
                }
                match w.vmas[v.index()].start_read(t) {
                    Ok(()) => w.threads[ti].stale = false,
                    Err(_) => next = prog.target(fail),
                }
            }
            Op::FindVma { vma, missing } => {
                if !w.mmap.held_by(t) {
                    return Err(misuse("find_vma without mmap_lock"));
                }
                if w.vma(vma).attached {
                    set_handle(w, t, Some(vma));
                } else {
                    set_handle(w, t, None);
                    next = prog.target(missing);
                }
            }
            Op::VmaEndRead => {
                let v = w.thread(t).vma.ok_or_else(|| misuse("no VMA handle"))?;
                if !w.vmas[v.index()].end_read(t) {
                    return Err(misuse("VMA not read-locked by this thread"));
                }
            }
            Op::VmaStartWrite { vma } => {
                // __is_vma_write_locked -> mmap_assert_write_locked.
                if w.mmap.writer() != Some(t) {
                    return Err(misuse("vma_start_write without the mmap_lock write hold"));
                }
                if !w.vmas[vma.index()].start_write(t) {
                    next = pc; // excluding readers now; waits for those inside
                }
            }
            Op::VmaMarkDetached { vma } => {
                let v = &mut w.vmas[vma.index()];
                if w.mmap.writer() != Some(t) || !v.write_locked {
                    return Err(misuse("vma_mark_detached on a VMA not write-locked"));
                }
                v.attached = false;
                // vm_area_free follows: every other handle to it now dangles.
                for (u, th) in w.threads[..self.shape.threads].iter_mut().enumerate() {
                    if u != ti && th.vma == Some(vma) {
                        th.stale = true;
                    }
                }
            }
            Op::MmapRegion { vma } => {
                if w.mmap.writer() != Some(t) {
                    return Err(misuse("mmap_region without the mmap_lock write hold"));
                }
                if !w.vma(vma).attached {
                    // A new VMA, attached write-locked (vma_mark_attached asserts it).
                    let mut fresh = crate::vma::VmaState::new(false);
                    fresh.write_locked = true;
                    w.vmas[vma.index()] = fresh;
                }
            }
            Op::IfAnonVma { vma, then } => {
                let v = match vma {
                    Some(v) => v,
                    None => self
                        .deref_handle(w, t)
                        .ok_or_else(|| misuse("no VMA handle"))?,
                };
                if w.vma(v).anon_vma {
                    next = prog.target(then);
                }
            }
            Op::AnonVmaPrepare => {
                let v = self
                    .deref_handle(w, t)
                    .ok_or_else(|| misuse("no VMA handle"))?;
                if !w.mmap.held_by(t) {
                    return Err(misuse("__anon_vma_prepare without mmap_lock"));
                }
                w.vmas[v.index()].anon_vma = true;
            }
            Op::FilemapGetFolio { folio, absent } => {
                if w.folio(folio).state == FolioState::Absent {
                    next = prog.target(absent);
                } else {
                    take_ref(w, t, folio).map_err(misuse)?;
                }
            }
            Op::SyncMmapReadahead { folio } => {
                if w.folio(folio).state == FolioState::Absent {
                    let backend = self.folios[folio.index()].backend;
                    w.folios[folio.index()].state = FolioState::ReadIo {
                        backend,
                        claimed: false,
                    };
                }
                take_ref(w, t, folio).map_err(misuse)?;
            }
            Op::IfFolioUptodate { then } => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no folio reference"))?;
                if matches!(
                    w.folio(f).state,
                    FolioState::Uptodate | FolioState::Locked(_)
                ) {
                    next = prog.target(then);
                }
            }
            Op::IfFolioWriteback { folio, then } => {
                // the WRITE is queued or with the server until fuse_dev_do_write
                if matches!(w.folio(folio).state, FolioState::ReadIo { .. }) {
                    next = prog.target(then);
                }
            }
            Op::FolioWaitLocked { .. }
            | Op::FuseWaitWriteback { .. }
            | Op::FolioWaitWriteback { .. }
            | Op::FuseRequestWait { .. } => {} // enabled once done
            Op::InvalidateFolio { folio } => {
                // enabled only once unlocked and unreferenced (or already gone)
                w.folios[folio.index()].state = FolioState::Absent;
            }
            Op::FuseWritebackStart { folio } | Op::FuseRequestSend { folio } => {
                let f = &mut w.folios[folio.index()];
                if f.state == FolioState::Absent || f.state == FolioState::Uptodate {
                    f.state = FolioState::ReadIo {
                        backend: self.folios[folio.index()].backend,
                        claimed: false,
                    };
                }
            }
            Op::FolioTrylock { fail } => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no folio reference"))?;
                if w.folio(f).state == FolioState::Uptodate {
                    w.folios[f.index()].state = FolioState::Locked(t);
                } else {
                    next = prog.target(fail);
                }
            }
            Op::FolioLock => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no folio reference"))?;
                w.folios[f.index()].state = FolioState::Locked(t);
            }
            Op::FolioUnlock => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no folio reference"))?;
                if w.folio(f).state != FolioState::Locked(t) {
                    return Err(misuse("folio not locked by this thread"));
                }
                w.folios[f.index()].state = FolioState::Uptodate;
            }
            Op::FolioPut => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no folio reference"))?;
                if w.folio(f).state == FolioState::Locked(t) {
                    return Err(misuse("folio_put while holding the folio lock"));
                }
                w.folios[f.index()].refs.remove(t);
                w.threads[ti].folio = None;
            }
            Op::MapPte | Op::MapAnon => {
                let v = self
                    .deref_handle(w, t)
                    .ok_or_else(|| misuse("no VMA handle"))?;
                // copy_page_range copies PTEs only if vma_needs_copy.
                if Self::races_copy(w, v, t) {
                    w.record(Hazard::ForkCopy);
                }
                if instr.op == Op::MapAnon && !w.vma(v).anon_vma {
                    return Err(misuse("maps an anon page before vmf_anon_prepare"));
                }
                let folio_locked = w
                    .thread(t)
                    .folio
                    .is_some_and(|f| w.folio(f).state == FolioState::Locked(t));
                if instr.op == Op::MapPte && !folio_locked {
                    return Err(misuse("maps a file folio it has not locked"));
                }
            }
            Op::FuseDevRead | Op::UffdRead => {
                let backend = super::served(instr.op);
                let f = self
                    .pending(w, backend)
                    .nth(usize::from(choice))
                    .ok_or_else(|| ModelError::NotEnabled {
                        step: format!("t{}.{choice}", t.0),
                    })?;
                w.folios[f.index()].state = FolioState::ReadIo {
                    backend,
                    claimed: true,
                };
                w.threads[ti].folio = Some(f);
            }
            Op::UffdioCopy => {
                // uffd_lock_vma: the destination VMA read-locked, or mmap_lock.
                let pinned = self.holds_vma_read(w, t) || w.mmap.held_by(t);
                if !pinned {
                    return Err(misuse("UFFDIO_COPY without the VMA lock or mmap_lock"));
                }
                complete_request(w, t, Backend::Uffd).map_err(misuse)?;
            }
            Op::HandleUserfault { folio, present } => {
                match w.folio(folio).state {
                    FolioState::Uptodate => next = prog.target(present),
                    FolioState::Absent => {
                        w.folios[folio.index()].state = FolioState::ReadIo {
                            backend: Backend::Uffd,
                            claimed: false,
                        };
                    }
                    _ => {} // already queued by another fault
                }
            }
            Op::FuseDevWrite => complete_request(w, t, Backend::Fuse).map_err(misuse)?,
            Op::CopyPageRange { vma } => {
                if w.mmap.writer() != Some(t) {
                    return Err(misuse("dup_mmap without the mmap_lock write hold"));
                }
                let st = &mut w.vmas[vma.index()];
                st.copying = true;
                st.copies_ptes = st.needs_copy();
            }
            Op::CopyPageRangeEnd { vma } => {
                if !w.vma(vma).copying {
                    return Err(misuse("copy_page_range never started"));
                }
                w.vmas[vma.index()].copying = false;
                w.vmas[vma.index()].copies_ptes = false;
            }
            Op::VmaSetMaybeGuard => {
                let v = self
                    .deref_handle(w, t)
                    .ok_or_else(|| misuse("no VMA handle"))?;
                w.vmas[v.index()].copy_on_fork = true;
            }
            Op::GuardInstallPte => {
                let v = self
                    .deref_handle(w, t)
                    .ok_or_else(|| misuse("no VMA handle"))?;
                if Self::races_copy(w, v, t) {
                    w.record(Hazard::ForkCopy);
                }
            }
            Op::ChangeProtection { vma } => {
                if w.mmap.writer() != Some(t) || !w.vma(vma).write_locked {
                    return Err(misuse("changes a VMA that is not write-locked"));
                }
            }
            Op::UnmapVmas { .. } => {
                if !w.mmap.held_by(t) {
                    return Err(misuse("unmap_vmas without mmap_lock"));
                }
            }
            Op::FaultRetry => {
                if w.mmap.held_by(t) || self.holds_vma_read(w, t) {
                    w.record(Hazard::RetryHeld);
                }
            }
            Op::SetFlag(flag) => w.threads[ti].set(flag, true),
            Op::ClearFlag(flag) => w.threads[ti].set(flag, false),
            Op::IfFlag { flag, then } => {
                if w.thread(t).has(flag) {
                    next = prog.target(then);
                }
            }
            Op::Goto(l) => next = prog.target(l),
            Op::Choose { alt } => {
                if choice == 1 {
                    next = prog.target(alt);
                }
            }
            Op::Exit => {
                next = prog.exit_pc();
                // Registers are dead after exit: clearing them keeps states canonical.
                let th = &mut w.threads[ti];
                th.flags = 0;
                th.vma = None;
                th.stale = false;
                th.folio = None;
            }
        }
        w.threads[ti].pc = next;
        Ok(())
    }

    /// Whether `t` holds some VMA's read lock.
    fn holds_vma_read(&self, w: &World, t: Tid) -> bool {
        w.vmas[..self.shape.vmas]
            .iter()
            .any(|v| v.readers.contains(t))
    }

    /// The handle VMA, for an op that dereferences it. A handle `t` does not pin (no
    /// read lock on it, and not `mmap_lock` with the VMA still attached) or that
    /// dangles is a use after the lock was dropped: recorded as [`Hazard::VmaUse`].
    /// A PTE write by `t` to `v` while another thread's `copy_page_range` copies them.
    fn races_copy(w: &World, v: VmaId, t: Tid) -> bool {
        let st = w.vma(v);
        st.copying && st.copies_ptes && w.mmap.writer() != Some(t)
    }

    fn deref_handle(&self, w: &mut World, t: Tid) -> Option<VmaId> {
        let th = *w.thread(t);
        let v = th.vma?;
        let pinned = w.vma(v).readers.contains(t) || (w.mmap.held_by(t) && w.vma(v).attached);
        if th.stale || !pinned {
            w.record(Hazard::VmaUse);
        }
        Some(v)
    }

    /// Readers granted by `rwsem_mark_wake` return from `mmap_read_lock`.
    fn advance_granted(&self, w: &mut World, granted: ThreadSet) -> Result<(), ModelError> {
        for g in granted.iter() {
            w.threads[g.index()].pc += 1;
            self.settle(w, g)?;
        }
        Ok(())
    }
}

fn end_all_vma_write_locks(w: &mut World, vmas: usize) {
    for v in &mut w.vmas[..vmas] {
        v.end_write();
    }
}

/// A server thread completes the request it took (`fuse_dev_do_write` ->
/// `folio_end_read`, or `UFFDIO_COPY`): the folio is uptodate and unlocked.
fn complete_request(w: &mut World, t: Tid, backend: Backend) -> Result<(), &'static str> {
    let f = w.thread(t).folio.ok_or("no request taken")?;
    if w.folio(f).state
        != (FolioState::ReadIo {
            backend,
            claimed: true,
        })
    {
        return Err("completes a request it did not take");
    }
    w.folios[f.index()].state = FolioState::Uptodate;
    w.threads[t.index()].folio = None;
    Ok(())
}

/// Points `t`'s VMA handle at a freshly found VMA (or at nothing).
fn set_handle(w: &mut World, t: Tid, v: Option<VmaId>) {
    let th = &mut w.threads[t.index()];
    th.vma = v;
    th.stale = false;
}

fn take_ref(w: &mut World, t: Tid, f: FolioId) -> Result<(), &'static str> {
    if w.thread(t).folio.is_some() {
        return Err("already holds a folio reference");
    }
    w.folios[f.index()].refs.insert(t);
    w.threads[t.index()].folio = Some(f);
    Ok(())
}
